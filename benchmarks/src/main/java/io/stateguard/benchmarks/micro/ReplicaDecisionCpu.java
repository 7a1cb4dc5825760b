package io.stateguard.benchmarks.micro;

import io.stateguard.benchmarks.Child;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ReplicaDecisionBenchmark}'s decision measured as the calling thread's CPU time per read, the rules run
 * in turn in one forked JVM ({@code primary}, {@code causal}, {@code causalWritten}, the order rotating from
 * round to round): JMH's scores are wall-clock times, which on a shared 2-core machine include the time other
 * processes hold the core; the thread's own CPU time does not. The parent takes per-round differences against
 * {@code primary}.
 *
 * <p>Arguments ({@code name=value}): {@code rounds} (default 9), {@code ops} per measurement (default
 * 3,000,000), {@code warmup} calls before each (default 1,000,000). Prints {@code result.<rule>=<ns>,<ns>,...}, one
 * figure per round.
 */
public final class ReplicaDecisionCpu {

    static final String[] RULES = {"primary", "causal", "causalWritten"};

    private ReplicaDecisionCpu() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Child.arguments(argv);
        int rounds = Integer.parseInt(args.getOrDefault("rounds", "9"));
        int ops = Integer.parseInt(args.getOrDefault("ops", "3000000"));
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "1000000"));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, List<String>> figures = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int r = 0; r < RULES.length; r++) {
                String rule = RULES[(r + round) % RULES.length];
                ReplicaDecisionBenchmark benchmark = new ReplicaDecisionBenchmark();
                benchmark.rule = rule;
                benchmark.setUp();
                try {
                    Object sink = null;
                    for (int i = 0; i < warmup; i++) {
                        sink = benchmark.decision();
                    }
                    long cpu = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < ops; i++) {
                        sink = benchmark.decision();
                    }
                    double perRead = (double) (threads.getCurrentThreadCpuTime() - cpu) / ops;
                    if (sink == null) {
                        throw new IllegalStateException("no decision");
                    }
                    figures.computeIfAbsent(rule, k -> new ArrayList<>()).add(String.format(java.util.Locale.ROOT,
                            "%.2f", perRead));
                } finally {
                    benchmark.tearDown();
                }
            }
        }
        for (String rule : RULES) {
            System.out.println("result." + rule + "=" + String.join(",", figures.get(rule)));
        }
        System.exit(0); // the monitors' daemon threads are gone; Lettuce's classes may hold others
    }
}
