package io.stateguard.spring;

import io.lettuce.core.ReadFrom;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStaticMasterReplicaConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.serializer.StringRedisSerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * A Spring Boot gateway in miniature, run from its executable fat jar by the tests, with and without
 * {@code -javaagent:stateguard-agent.jar}: Spring Data Redis on Lettuce, reading with
 * {@code ReadFrom.REPLICA_PREFERRED} from a static Master/Replica setup
 * ({@link RedisStaticMasterReplicaConfiguration}) or through Sentinel ({@link RedisSentinelConfiguration}).
 * It reads a state key, an unrelated key and a hash field through {@link StringRedisTemplate}, a
 * {@link RedisTemplate}, a pipeline and {@link ReactiveStringRedisTemplate}, prints one
 * {@code probe.<name>=<value>} line per read, and exits.
 *
 * <p>Properties (command-line {@code --name=value}): {@code probe.mode} ({@code static} or
 * {@code sentinel}), {@code probe.nodes} ({@code host:port,...}: primary first, then replicas; or the
 * sentinels), {@code probe.master} (Sentinel's master name), {@code probe.state}, {@code probe.other},
 * {@code probe.hash}, {@code probe.field}; for the version guard {@code probe.guard-key}: the
 * application writes version 7 of that key (a JSON value) and reads it back from the replica; and
 * {@code probe.hold=true}: after the reads it prints {@code probe.holding=true} and keeps running until it
 * is stopped.
 */
@SpringBootApplication
public class SpringProbeApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SpringProbeApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        System.exit(SpringApplication.exit(application.run(args)));
    }

    @Bean
    LettuceConnectionFactory redisConnectionFactory(Environment environment) {
        List<String[]> nodes = new ArrayList<>();
        for (String node : environment.getRequiredProperty("probe.nodes").split(",")) {
            nodes.add(node.split(":"));
        }
        RedisConfiguration configuration;
        String mode = environment.getRequiredProperty("probe.mode");
        if (mode.equals("static")) {
            RedisStaticMasterReplicaConfiguration staticNodes = new RedisStaticMasterReplicaConfiguration(nodes.get(0)[0],
                    Integer.parseInt(nodes.get(0)[1]));
            for (String[] node : nodes.subList(1, nodes.size())) {
                staticNodes.node(node[0], Integer.parseInt(node[1]));
            }
            configuration = staticNodes;
        } else if (mode.equals("sentinel")) {
            RedisSentinelConfiguration sentinel = new RedisSentinelConfiguration()
                    .master(environment.getRequiredProperty("probe.master"));
            for (String[] node : nodes) {
                sentinel.sentinel(node[0], Integer.parseInt(node[1]));
            }
            configuration = sentinel;
        } else {
            throw new IllegalArgumentException("unknown probe.mode " + mode);
        }
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .readFrom(ReadFrom.REPLICA_PREFERRED)
                .build();
        return new LettuceConnectionFactory(configuration, client);
    }

    /** A typical application-defined template: String keys and values, as many gateways configure it. */
    @Bean
    RedisTemplate<String, String> stringKeyTemplate(LettuceConnectionFactory connectionFactory) {
        RedisTemplate<String, String> template = new RedisTemplate<>();
        template.setConnectionFactory(connectionFactory);
        template.setKeySerializer(StringRedisSerializer.UTF_8);
        template.setValueSerializer(StringRedisSerializer.UTF_8);
        template.setHashKeySerializer(StringRedisSerializer.UTF_8);
        template.setHashValueSerializer(StringRedisSerializer.UTF_8);
        return template;
    }

    @Bean
    CommandLineRunner probe(Environment environment, StringRedisTemplate strings,
            @Qualifier("stringKeyTemplate") RedisTemplate<String, String> stringKeyTemplate,
            ReactiveStringRedisTemplate reactive) {
        return args -> {
            Map<String, String> results = new TreeMap<>();
            String guardKey = environment.getProperty("probe.guard-key");
            if (guardKey != null) {
                guard(guardKey, strings, reactive, results);
            } else {
                String state = environment.getRequiredProperty("probe.state");
                String other = environment.getRequiredProperty("probe.other");
                String hash = environment.getRequiredProperty("probe.hash");
                String field = environment.getRequiredProperty("probe.field");
                results.put("template.state", strings.opsForValue().get(state));
                results.put("template.other", strings.opsForValue().get(other));
                results.put("template.hget", (String) strings.opsForHash().get(hash, field));
                results.put("template.mget", String.join("|", strings.opsForValue().multiGet(Arrays.asList(other, state))));
                results.put("redistemplate.state", stringKeyTemplate.opsForValue().get(state));
                results.put("redistemplate.other", stringKeyTemplate.opsForValue().get(other));
                List<Object> pipelined = strings.executePipelined((RedisCallback<Object>) connection -> {
                    connection.stringCommands().get(state.getBytes(StandardCharsets.UTF_8));
                    connection.stringCommands().get(other.getBytes(StandardCharsets.UTF_8));
                    return null;
                });
                results.put("pipelined.state", String.valueOf(pipelined.get(0)));
                results.put("pipelined.other", String.valueOf(pipelined.get(1)));
                results.put("reactive.state", reactive.opsForValue().get(state).block());
                results.put("reactive.other", reactive.opsForValue().get(other).block());
                results.put("reactive.hget", reactive.<String, String>opsForHash().get(hash, field).block());
            }
            results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
            if (environment.getProperty("probe.hold", Boolean.class, false)) {
                // Stays up (as a gateway would) until the test ends it, so that it can be inspected from outside.
                System.out.println("probe.holding=true");
                new CountDownLatch(1).await();
            }
        };
    }

    /**
     * The version guard inside the fat jar: the application writes version 7 (through the primary),
     * then reads the key back with {@code REPLICA_PREFERRED} from a replica that has not received it.
     */
    private static void guard(String key, StringRedisTemplate strings, ReactiveStringRedisTemplate reactive,
            Map<String, String> results) {
        strings.opsForValue().set(key, "{\"state\":\"open\",\"version\":7}");
        results.put("guard.sync", attempt(() -> strings.opsForValue().get(key)));
        results.put("guard.reactive", attempt(() -> reactive.opsForValue().get(key).block()));
    }

    /** The value read, or {@code EXC:<exception>:<cause>...} with each cause's class and class loader. */
    private static String attempt(Callable<String> read) {
        try {
            return read.call();
        } catch (Exception e) {
            StringBuilder chain = new StringBuilder("EXC");
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                ClassLoader loader = t.getClass().getClassLoader();
                chain.append(':').append(t.getClass().getName()).append('@')
                        .append(loader == null ? "bootstrap" : loader.getClass().getSimpleName());
            }
            return chain.toString();
        }
    }
}
