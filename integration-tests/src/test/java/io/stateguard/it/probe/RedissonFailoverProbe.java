package io.stateguard.it.probe;

import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.SentinelServersConfig;

import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static io.stateguard.it.probe.StateVersions.version;

/**
 * The Redisson counterpart of {@link FailoverProbe}: a Redisson application reading one state key through Sentinel
 * ({@code StringCodec}, Redisson's default {@code ReadMode.SLAVE}), over and over, across a failover the test causes.
 * It writes {@code <dir>/ready} after its first successful read, {@code <dir>/changed} once it has read a different
 * version, stops when {@code <dir>/stop} appears, and prints the versions it saw in order (consecutive repeats
 * collapsed) and how many reads failed.
 *
 * <p>Arguments: {@code <sentinel host:port,...> <masterName> <key> <dir>}.
 */
public final class RedissonFailoverProbe {

    public static void main(String[] args) throws Exception {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        SentinelServersConfig sentinel = config.useSentinelServers().setMasterName(args[1]).setCheckSentinelsList(false)
                .setTimeout(2000);
        for (String node : args[0].split(",")) {
            sentinel.addSentinelAddress("redis://" + node);
        }
        String key = args[2];
        RedissonClient redisson = Redisson.create(config);
        try {
            FailoverReads.run(Paths.get(args[3]), () -> version(redisson.<String>getBucket(key).get()));
        } finally {
            redisson.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
