package io.stateguard.demo;

import io.stateguard.gateway.GatewayKeys;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One run of the reference gateway against a Redis topology, polled by a client that also receives the
 * gateway's webhooks: the building block of the demo and of the gateway end-to-end tests.
 *
 * <ol>
 *   <li>start the client's webhook endpoint;</li>
 *   <li>start the gateway in its own JVM ({@link GatewayProcess}), with or without the agent;</li>
 *   <li>wait until every instance has been announced {@code open} (first pairing done);</li>
 *   <li>run the optional preparation (e.g. make replicas stale);</li>
 *   <li>poll the status API and judge every answer ({@link StatusPoller}), while the optional
 *       {@link Builder#whilePolling task} runs on a thread of its own (e.g. a failover, or reading a replica);</li>
 *   <li>stop the gateway with SIGTERM and collect what the agent logged.</li>
 * </ol>
 *
 * The caller owns the Redis topology and should give each run fresh data (e.g. {@code FLUSHALL} first),
 * because versions continue from what is stored.
 */
public final class GatewayScenario {

    private static final Duration ALL_OPEN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration WHILE_POLLING_TIMEOUT = Duration.ofSeconds(60);

    private final String redisUri;
    private final String label;
    private final String agentArguments;
    private final int instances;
    private final int polls;
    private final int pollerThreads;
    private final int pollsPerSecond;
    private final Map<String, String> gatewayEnv;
    private final Preparation preparation;
    private final Preparation whilePolling;

    private GatewayScenario(Builder builder) {
        this.redisUri = builder.redisUri;
        this.label = builder.label;
        this.agentArguments = builder.agentArguments;
        this.instances = builder.instances;
        this.polls = builder.polls;
        this.pollerThreads = builder.pollerThreads;
        this.pollsPerSecond = builder.pollsPerSecond;
        this.gatewayEnv = Map.copyOf(builder.gatewayEnv);
        this.preparation = builder.preparation;
        this.whilePolling = builder.whilePolling;
    }

    /** @param redisUri the gateway's {@code CACHE_REDIS_URI} */
    public static Builder builder(String redisUri) {
        return new Builder(redisUri);
    }

    /**
     * Gateway timings that make the consequences of replica lag frequent during a run of a few seconds:
     * reconnects every 0.6-0.9 s, every third reconnect a re-pairing (QR code), 10 key writes per second.
     * Real instances reconnect far less often; the compression only makes the same bug show sooner.
     */
    public static Map<String, String> flappingProfile() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEWAY_RECONNECT_INTERVAL_MS", "600");
        env.put("GATEWAY_RECONNECT_JITTER_MS", "300");
        env.put("GATEWAY_CONNECT_MS", "150");
        env.put("GATEWAY_PAIRING_MS", "300");
        env.put("GATEWAY_UNLINK_EVERY", "3");
        env.put("GATEWAY_KEY_WRITES_PER_SECOND", "10");
        return env;
    }

    /**
     * Gateway timings for deterministic staleness: instances pair once and then stay open, with no further
     * writes, so that a replica made stale on purpose stays stale for the whole run.
     */
    public static Map<String, String> frozenProfile() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEWAY_RECONNECT_INTERVAL_MS", "0");
        env.put("GATEWAY_PAIRING_MS", "100");
        env.put("GATEWAY_KEY_WRITES_PER_SECOND", "0");
        return env;
    }

    /**
     * Runs the scenario.
     *
     * @throws IllegalStateException if the gateway does not start or its instances never open
     */
    public ScenarioResult run() throws Exception {
        KnownStates known = new KnownStates();
        List<String> names = GatewayKeys.instanceNames(instances);
        try (WebhookReceiver webhooks = WebhookReceiver.start(known)) {
            GatewayProcess.Builder launch = GatewayProcess.builder()
                    .env(gatewayEnv)
                    .env("CACHE_REDIS_URI", redisUri)
                    .env("GATEWAY_INSTANCES", Integer.toString(instances))
                    .env("WEBHOOK_GLOBAL_URL", webhooks.url().toString());
            if (agentArguments != null) {
                launch.agent(agentArguments);
            }
            try (GatewayProcess gateway = launch.start()) {
                try {
                    known.awaitAllOpen(names, ALL_OPEN_TIMEOUT);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(
                            e.getMessage() + "\n--- gateway stderr ---\n" + gateway.stderr(), e);
                }
                StatusPoller poller = new StatusPoller(gateway.baseUri(), names, known, pollerThreads, pollsPerSecond);
                Context context = new Context(names, known, keys(), poller);
                preparation.prepare(context);
                FutureTask<Void> task = new FutureTask<>(() -> {
                    whilePolling.prepare(context);
                    return null;
                });
                Thread taskThread = new Thread(task, "while-polling");
                taskThread.setDaemon(true);
                taskThread.start();
                PollReport report = poller.run(polls);
                try {
                    task.get(WHILE_POLLING_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the task run while polling failed: " + e.getCause()
                            + "\n--- gateway stderr ---\n" + gateway.stderr(), e.getCause());
                } catch (TimeoutException e) {
                    taskThread.interrupt();
                    throw new IllegalStateException("the task run while polling did not end within "
                            + WHILE_POLLING_TIMEOUT + " after polling", e);
                }
                int exitCode = gateway.stop();
                return new ScenarioResult(label, agentArguments != null, report, gateway.agentLog(),
                        webhooks.events(), exitCode, gateway.stoppedCleanly(), gateway.stderr());
            }
        }
    }

    private GatewayKeys keys() {
        return new GatewayKeys(gatewayEnv.getOrDefault("CACHE_REDIS_PREFIX_KEY", GatewayKeys.DEFAULT_PREFIX));
    }

    /**
     * What a preparation step can use.
     *
     * @param instances the instance names
     * @param known     what the client knows (every instance has been seen open)
     * @param keys      the gateway's key names
     * @param poller    the run's poller: its progress ({@link StatusPoller#answered()}, {@link StatusPoller#finished()})
     */
    public record Context(List<String> instances, KnownStates known, GatewayKeys keys, StatusPoller poller) {
    }

    /** Runs after every instance has been seen open and before polling starts, or while polling. */
    @FunctionalInterface
    public interface Preparation {
        /**
         * @param context the run's instances, knowledge and keys
         * @throws Exception anything; it fails the run
         */
        void prepare(Context context) throws Exception;
    }

    /** Configures a {@link GatewayScenario}. */
    public static final class Builder {
        private final String redisUri;
        private String label = "without agent";
        private String agentArguments;
        private int instances = 4;
        private int polls = 3_000;
        private int pollerThreads = 4;
        private int pollsPerSecond = 500;
        private final Map<String, String> gatewayEnv = new LinkedHashMap<>(flappingProfile());
        private Preparation preparation = context -> { };
        private Preparation whilePolling = context -> { };

        private Builder(String redisUri) {
            this.redisUri = Objects.requireNonNull(redisUri, "redisUri");
        }

        /** Name of the run in reports. Default {@code without agent}, {@code with agent} after {@link #withAgent}. */
        public Builder label(String label) {
            this.label = Objects.requireNonNull(label, "label");
            return this;
        }

        /** Runs the gateway with {@code -javaagent:<agent jar>=<arguments>}. */
        public Builder withAgent(String arguments) {
            this.agentArguments = Objects.requireNonNull(arguments, "arguments");
            if (label.equals("without agent")) {
                label = "with agent";
            }
            return this;
        }

        /** Number of gateway instances. Default 4. */
        public Builder instances(int instances) {
            this.instances = instances;
            return this;
        }

        /** Total status requests. Default 3000. */
        public Builder polls(int polls) {
            this.polls = polls;
            return this;
        }

        /** Concurrent polling threads. Default 4. */
        public Builder pollerThreads(int pollerThreads) {
            this.pollerThreads = pollerThreads;
            return this;
        }

        /** Pace of the poller, all threads together; 0 for unpaced. Default 500 per second. */
        public Builder pollsPerSecond(int pollsPerSecond) {
            this.pollsPerSecond = pollsPerSecond;
            return this;
        }

        /** Replaces the gateway timings (default {@link #flappingProfile()}) and other gateway  */
        public Builder gatewayEnv(Map<String, String> env) {
            gatewayEnv.clear();
            gatewayEnv.putAll(env);
            return this;
        }

        /** A step between "all instances open" and polling, e.g. making replicas stale. */
        public Builder beforePolling(Preparation preparation) {
            this.preparation = Objects.requireNonNull(preparation, "preparation");
            return this;
        }

        /**
         * A task started on its own thread when polling starts. It should end by itself, e.g. once
         * {@link StatusPoller#finished()}; the run waits for it (60 s at most) after polling and fails with
         * whatever it threw.
         */
        public Builder whilePolling(Preparation task) {
            this.whilePolling = Objects.requireNonNull(task, "task");
            return this;
        }

        /** @return the scenario; {@link GatewayScenario#run()} may be called more than once */
        public GatewayScenario build() {
            return new GatewayScenario(this);
        }
    }
}
