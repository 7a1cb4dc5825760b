package io.stateguard.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client application polling the gateway's status API: {@code GET /instance/connectionState/{name}} and
 * {@code GET /instance/connect/{name}}, alternately, round-robin over the instances, from a few threads.
 * Every answer is judged against what the client knew when it sent the request (see {@link PollAnswer#judge}),
 * then becomes knowledge itself.
 */
public final class StatusPoller {

    private static final int MAX_EXAMPLES = 5;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI baseUri;
    private final List<String> instances;
    private final KnownStates known;
    private final int threads;
    private final int pollsPerSecond;
    private final HttpClient client;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong wrongSoFar = new AtomicLong();
    private volatile boolean finished;

    /**
     * @param baseUri   e.g. {@code http://127.0.0.1:8080}
     * @param instances the instance names to poll
     * @param known     shared with the webhook receiver
     * @param threads        concurrent pollers
     * @param pollsPerSecond the pace of all threads together, as a client polling on a schedule; 0 for as fast
     *                       as the gateway answers
     */
    public StatusPoller(URI baseUri, List<String> instances, KnownStates known, int threads, int pollsPerSecond) {
        if (instances.isEmpty() || threads < 1 || pollsPerSecond < 0) {
            throw new IllegalArgumentException("Need at least one instance and one thread, and a rate >= 0");
        }
        this.pollsPerSecond = pollsPerSecond;
        this.baseUri = baseUri;
        this.instances = List.copyOf(instances);
        this.known = known;
        this.threads = threads;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Sends {@code polls} requests in total and reports on them. */
    public PollReport run(int polls) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        Queue<String> examples = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "status-poller");
            thread.setDaemon(true);
            return thread;
        });
        long start = System.nanoTime();
        List<Future<Tally>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> pollUntil(polls, start, next, examples)));
            }
            Tally total = new Tally(polls);
            for (Future<Tally> future : futures) {
                total.add(future.get());
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            return total.report(elapsed, new ArrayList<>(examples));
        } catch (ExecutionException e) {
            throw new IllegalStateException("A poller thread failed", e.getCause());
        } finally {
            finished = true;
            pool.shutdownNow();
        }
    }

    /**
     * Requests this poller has had an outcome for so far (an answer or an error), readable while
     * {@link #run(int)} runs: lets a test tie an event (a failover, a replica read) to a point of the run.
     */
    public long answered() {
        return answered.get();
    }

    /** Wrong answers so far (see {@link PollReport#wrongAnswers()}), readable while {@link #run(int)} runs. */
    public long wrongSoFar() {
        return wrongSoFar.get();
    }

    /** Whether {@link #run(int)} has returned (or failed). */
    public boolean finished() {
        return finished;
    }

    private Tally pollUntil(int polls, long start, AtomicInteger next, Queue<String> examples)
            throws InterruptedException {
        Tally tally = new Tally(polls / threads + 1);
        int n;
        while ((n = next.getAndIncrement()) < polls) {
            if (pollsPerSecond > 0) {
                // Poll n is due at a fixed point of the schedule: a slow answer does not shift later polls.
                long due = start + n * 1_000_000_000L / pollsPerSecond;
                TimeUnit.NANOSECONDS.sleep(due - System.nanoTime());
            }
            String instance = instances.get(n % instances.size());
            boolean connect = (n / instances.size()) % 2 == 1;
            pollOnce(instance, connect, tally, examples);
        }
        return tally;
    }

    private void pollOnce(String instance, boolean connectEndpoint, Tally tally, Queue<String> examples)
            throws InterruptedException {
        String path = (connectEndpoint ? "/instance/connect/" : "/instance/connectionState/") + instance;
        HttpRequest request = HttpRequest.newBuilder(baseUri.resolve(path)).timeout(REQUEST_TIMEOUT).GET().build();
        KnownStates.Known before = known.snapshot(instance);
        long sent = System.nanoTime();
        PollAnswer answer;
        try {
            answer = PollAnswer.of(client.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException | RuntimeException e) {
            tally.errors++;
            tally.latency((System.nanoTime() - sent) / 1_000);
            example(examples, "error on " + path + ": " + e);
            answered.incrementAndGet();
            return;
        }
        tally.latency((System.nanoTime() - sent) / 1_000);
        PollAnswer.Verdict verdict = answer.judge(before);
        if (answer.qrCode()) {
            tally.qrCodes++;
        }
        if (verdict.stale()) {
            tally.wrong++;
            wrongSoFar.incrementAndGet();
            example(examples, path + " answered " + describe(answer) + " after the client had seen v"
                    + before.version());
        }
        if (verdict.qrForConnected()) {
            tally.qrForConnected++;
        }
        known.learn(instance, answer.version(), !answer.qrCode() && "open".equals(answer.state()));
        answered.incrementAndGet();
    }

    private static String describe(PollAnswer answer) {
        return (answer.qrCode() ? "a QR code" : answer.state()) + " v" + answer.version();
    }

    private static void example(Queue<String> examples, String text) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(text);
        }
    }

    /**
     * Counts and latencies of one thread, merged at the end (the shared {@link #answered()} and
     * {@link #wrongSoFar()} are one atomic increment per HTTP request, for progress only).
     */
    private static final class Tally {
        long polls;
        long wrong;
        long qrCodes;
        long qrForConnected;
        long errors;
        long[] latencies;

        Tally(int capacity) {
            latencies = new long[Math.max(16, capacity)];
        }

        void latency(long micros) {
            if (polls == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[(int) polls++] = micros;
        }

        void add(Tally other) {
            for (int i = 0; i < other.polls; i++) {
                latency(other.latencies[i]);
            }
            wrong += other.wrong;
            qrCodes += other.qrCodes;
            qrForConnected += other.qrForConnected;
            errors += other.errors;
        }

        PollReport report(long elapsedMillis, List<String> examples) {
            long[] sorted = Arrays.copyOf(latencies, (int) polls);
            Arrays.sort(sorted);
            return new PollReport(polls, wrong, qrCodes, qrForConnected, errors, percentile(sorted, 50),
                    percentile(sorted, 99), elapsedMillis, examples);
        }

        private static long percentile(long[] sorted, int percent) {
            if (sorted.length == 0) {
                return 0;
            }
            // Nearest-rank method: the smallest value with at least percent% of the values at or below it.
            int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
            return sorted[Math.max(0, rank - 1)];
        }
    }
}
