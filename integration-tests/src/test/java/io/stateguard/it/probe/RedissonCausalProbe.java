package io.stateguard.it.probe;

import org.redisson.api.RBatch;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Redisson counterpart of {@link CausalProbe}: a status poller that writes state and reads it back through one
 * Redisson client reading from replicas ({@code ReadMode.SLAVE}, Redisson's default; {@code StringCodec}), and prints
 * {@code stale=<reads that returned another value than this process last wrote>} and {@code reads=<n>}.
 *
 * <p>Arguments: {@code <mode> <topology> <nodes> <keyPrefix> <keys> <rounds> [<pauseMillis>]} (topology and nodes as
 * for {@link RedissonProbe#connect}); modes:
 * <ul>
 *   <li>{@code write-read}: each round writes every key ({@code RBucket.set}) and reads it back at once;</li>
 *   <li>{@code batch-write-read}: the same, each write sent in an {@code RBatch} of its own;</li>
 *   <li>{@code written-long-ago}: writes every key once, waits {@code pauseMillis}, then reads every key
 *       {@code rounds} times;</li>
 *   <li>{@code read}: only reads every key {@code rounds} times (another process writes), {@code pauseMillis}
 *       between rounds, and {@code probe.warmup.millis} (system property, default 0) instead after the first;
 *       prints {@code nils=<reads that found no value>} too.</li>
 * </ul>
 */
public final class RedissonCausalProbe {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        RedissonClient redisson = RedissonProbe.connect(args[1], args[2], "SLAVE");
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < Integer.parseInt(args[4]); k++) {
            keys.add(args[3] + k);
        }
        int rounds = Integer.parseInt(args[5]);
        long pause = args.length > 6 ? Long.parseLong(args[6]) : 0;
        long stale = 0;
        long reads = 0;
        long nils = 0;
        String run = Long.toString(System.nanoTime());
        try {
            if (mode.equals("write-read") || mode.equals("batch-write-read")) {
                for (int round = 1; round <= rounds; round++) {
                    for (String key : keys) {
                        String value = run + ":" + round;
                        if (mode.equals("batch-write-read")) {
                            RBatch batch = redisson.createBatch();
                            batch.<String>getBucket(key).setAsync(value);
                            batch.execute();
                        } else {
                            redisson.<String>getBucket(key).set(value);
                        }
                        reads++;
                        if (!value.equals(redisson.<String>getBucket(key).get())) {
                            stale++;
                        }
                    }
                }
            } else if (mode.equals("written-long-ago")) {
                for (String key : keys) {
                    redisson.<String>getBucket(key).set(run);
                }
                Thread.sleep(pause);
                for (int round = 1; round <= rounds; round++) {
                    for (String key : keys) {
                        RBucket<String> bucket = redisson.getBucket(key);
                        reads++;
                        if (!run.equals(bucket.get())) {
                            stale++;
                        }
                    }
                }
            } else if (mode.equals("read")) {
                long warmUp = Long.getLong("probe.warmup.millis", 0);
                for (int round = 1; round <= rounds; round++) {
                    for (String key : keys) {
                        reads++;
                        if (redisson.<String>getBucket(key).get() == null) {
                            nils++;
                        }
                    }
                    Thread.sleep(round == 1 && warmUp > 0 ? warmUp : pause);
                }
            } else {
                throw new IllegalArgumentException("unknown mode " + mode);
            }
        } finally {
            redisson.shutdown(0, 2, TimeUnit.SECONDS);
        }
        System.out.println("stale=" + stale);
        System.out.println("reads=" + reads);
        System.out.println("nils=" + nils);
    }
}
