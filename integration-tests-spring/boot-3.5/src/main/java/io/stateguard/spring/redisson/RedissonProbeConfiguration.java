package io.stateguard.spring.redisson;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.MasterSlaveServersConfig;
import org.redisson.config.ReadMode;
import org.redisson.spring.data.connection.RedissonConnectionFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * With {@code --probe.redisson=true}, the probe application's Spring Data Redis runs on Redisson: a
 * {@link RedissonClient} on the master and replicas of {@code probe.nodes} (master first; Redisson's
 * default {@code ReadMode.SLAVE}, {@code StringCodec}) behind Redisson's {@link RedissonConnectionFactory},
 * the primary {@code RedisConnectionFactory} and {@code ReactiveRedisConnectionFactory}. Spring Boot's
 * {@code StringRedisTemplate} and {@code ReactiveStringRedisTemplate} take it, so their reads
 * ({@code probe.template.*}, {@code probe.pipelined.*}, {@code probe.reactive.*}) go through Redisson; the
 * application's own {@code stringKeyTemplate} is wired to its {@code LettuceConnectionFactory} and stays on
 * Lettuce ({@code probe.redistemplate.*}). It prints the factories of both Spring Boot templates as
 * {@code probe.factory.template} and {@code probe.factory.reactive}.
 *
 * <p>Only the Spring Boot 3.5 module has it: redisson-spring-data-35 is built for Spring Data Redis 3.5.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "probe.redisson", havingValue = "true")
public class RedissonProbeConfiguration {

    @Bean(destroyMethod = "shutdown")
    RedissonClient redissonClient(Environment environment) {
        String[] nodes = environment.getRequiredProperty("probe.nodes").split(",");
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        MasterSlaveServersConfig servers = config.useMasterSlaveServers()
                .setMasterAddress("redis://" + nodes[0])
                .setReadMode(ReadMode.SLAVE);
        for (int i = 1; i < nodes.length; i++) {
            servers.addSlaveAddress("redis://" + nodes[i]);
        }
        return Redisson.create(config);
    }

    @Bean
    @Primary
    RedissonConnectionFactory redissonConnectionFactory(RedissonClient redisson) {
        return new RedissonConnectionFactory(redisson);
    }

    /** Which connection factory Spring Boot's templates were given. */
    @Bean
    CommandLineRunner connectionFactories(StringRedisTemplate strings, ReactiveStringRedisTemplate reactive) {
        return args -> {
            System.out.println("probe.factory.template=" + strings.getConnectionFactory().getClass().getName());
            System.out.println("probe.factory.reactive=" + reactive.getConnectionFactory().getClass().getName());
        };
    }
}
