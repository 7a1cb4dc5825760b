package io.stateguard.demo;

import io.stateguard.gateway.GatewayKeys;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisServerBinary;

import java.util.ArrayList;
import java.util.List;

/**
 * The one-command demo ({@code ./demo.sh}): a Redis primary and a replica whose replication stream is delayed
 * by a {@link io.stateguard.harness.LagProxy}, the reference gateway run twice against them (without, then
 * with the StateGuard agent), each run polled a few thousand times, and a side-by-side table of what the
 * client saw.
 *
 * <p>Options: {@code --polls N} (per run, default 3000), {@code --instances N} (default 4),
 * {@code --lag-ms N} (replication delay, default 150), {@code --threads N} (pollers, default 4),
 * {@code --rate N} (polls per second, default 500).
 * Exit status 1 if the run with the agent still shows wrong answers.
 */
public final class Demo {

    private Demo() {
    }

    /**
     * Runs the demo; see the class comment for the options.
     *
     * @throws Exception if Redis or a gateway cannot be started
     */
    public static void main(String[] args) throws Exception {
        DemoOptions options = DemoOptions.parse(args);
        long started = System.nanoTime();
        GatewayKeys keys = new GatewayKeys(GatewayKeys.DEFAULT_PREFIX);
        System.out.printf("StateGuard demo: reference gateway with %d instances, Lettuce ReadFrom.REPLICA_PREFERRED,"
                + " replica lagging %d ms, %d polls per run at %d/s%n", options.instances(), options.lagMillis(),
                options.polls(), options.rate());
        System.out.println("redis-server: " + RedisServerBinary.path());

        List<ScenarioResult> results = new ArrayList<>();
        try (PrimaryReplicaTopology redis =
                PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start()) {
            redis.lagProxy(0).setDelayMillis(options.lagMillis());
            String redisUri = redis.primary().uri() + "," + redis.replica(0).uri();
            System.out.println("Redis " + redis.primary().version() + ": primary " + redis.primary().hostAndPort()
                    + ", replica " + redis.replica(0).hostAndPort() + " (replicating through "
                    + redis.lagProxy(0) + ")");
            for (String agentArguments : new String[] {null, keys.agentArguments()}) {
                // Fresh data for each run: the gateway continues the versions it finds.
                redis.primary().command("FLUSHALL");
                redis.awaitReplicated();
                GatewayScenario.Builder scenario = GatewayScenario.builder(redisUri)
                        .instances(options.instances()).polls(options.polls()).pollerThreads(options.threads())
                        .pollsPerSecond(options.rate());
                if (agentArguments != null) {
                    scenario.withAgent(agentArguments);
                    System.out.println("\nRunning the gateway with -javaagent:agent/target/stateguard-agent.jar="
                            + agentArguments + " ...");
                } else {
                    System.out.println("\nRunning the gateway without the agent ...");
                }
                ScenarioResult result = scenario.build().run();
                System.out.println("  " + result.summary());
                results.add(result);
            }
        }

        System.out.println();
        System.out.print(ComparisonTable.format(results));
        System.out.println();
        System.out.println("wrong answer: the API returned a state older than one the client had already seen"
                + " (in a webhook or an earlier answer).");
        System.out.println("QR code for a connected instance: GET /instance/connect returned a QR code although the"
                + " client had already seen the instance open at that version or later.");
        ScenarioResult withAgent = results.get(1);
        System.out.println("\nThe agent logged (" + withAgent.agentLog().size() + " lines):");
        withAgent.agentLog().forEach(line -> System.out.println("  " + line));
        if (withAgent.inconsistencyReports().isEmpty()) {
            System.out.println("(No inconsistency reports: with state reads on the primary, no version went backwards.)");
        }
        examples(results.get(0));

        List<ProcessHandle> leftovers = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        if (!leftovers.isEmpty()) {
            System.out.println("\nWARNING: child processes still running: " + leftovers);
        }
        System.out.printf("%nDone in %.1f s.%n", (System.nanoTime() - started) / 1e9);
        boolean agentClean = withAgent.report().wrongAnswers() == 0 && withAgent.report().qrForConnected() == 0;
        System.exit(agentClean ? 0 : 1);
    }

    private static void examples(ScenarioResult withoutAgent) {
        if (withoutAgent.report().examples().isEmpty()) {
            return;
        }
        System.out.println("\nFirst wrong answers without the agent:");
        withoutAgent.report().examples().forEach(example -> System.out.println("  " + example));
    }

    /** Command-line options of the demo. */
    record DemoOptions(int polls, int instances, int lagMillis, int threads, int rate) {

        static DemoOptions parse(String[] args) {
            int polls = 3_000;
            int instances = 4;
            int lag = 150;
            int threads = 4;
            int rate = 500;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw usage("missing value after " + name);
                }
                int value;
                try {
                    value = Integer.parseInt(args[++i]);
                } catch (NumberFormatException e) {
                    throw usage("not a number after " + name + ": " + args[i]);
                }
                if (value < 1) {
                    throw usage(name + " must be positive");
                }
                switch (name) {
                    case "--polls" -> polls = value;
                    case "--instances" -> instances = value;
                    case "--lag-ms" -> lag = value;
                    case "--threads" -> threads = value;
                    case "--rate" -> rate = value;
                    default -> throw usage("unknown option " + name);
                }
            }
            return new DemoOptions(polls, instances, lag, threads, rate);
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(problem
                    + "; usage: demo.sh [--polls N] [--instances N] [--lag-ms N] [--threads N] [--rate N]");
        }
    }
}
