package io.stateguard.it.probe;

import org.redisson.api.RedissonClient;
import org.redisson.spring.data.connection.RedissonConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A Spring Data Redis application on Redisson's connection factory ({@code RedissonConnectionFactory}), which
 * passes keys to Redisson as {@code byte[]}: reads a state key, another key, a hash field and both keys at once
 * through {@code StringRedisTemplate} and {@code ReactiveStringRedisTemplate}, and prints
 * {@code probe.<read>=<value>}. Never writes.
 *
 * <p>Arguments: {@code <topology> <nodes> <readMode> <stateKey> <otherKey> <hashKey> <hashField>}, as
 * {@link RedissonProbe#connect}.
 */
public final class RedissonSpringDataProbe {

    public static void main(String[] args) throws Exception {
        RedissonClient redisson = RedissonProbe.connect(args[0], args[1], args[2]);
        String state = args[3];
        String other = args[4];
        try {
            RedissonConnectionFactory factory = new RedissonConnectionFactory(redisson);
            StringRedisTemplate template = new StringRedisTemplate(factory);
            template.afterPropertiesSet();
            ReactiveStringRedisTemplate reactive = new ReactiveStringRedisTemplate(factory);
            Map<String, String> results = new TreeMap<>();
            results.put("template.state", template.opsForValue().get(state));
            results.put("template.other", template.opsForValue().get(other));
            results.put("template.hget", String.valueOf(template.opsForHash().get(args[5], args[6])));
            List<String> both = template.opsForValue().multiGet(Arrays.asList(other, state));
            results.put("template.mget", both.get(0) + "|" + both.get(1));
            results.put("reactive.state", reactive.opsForValue().get(state).block());
            results.put("reactive.other", reactive.opsForValue().get(other).block());
            results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
        } finally {
            redisson.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
