package dev.executor.policy.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

import dev.executor.policy.Address;
import dev.executor.policy.Decision;
import dev.executor.policy.ToolFacts;
import dev.executor.policy.ToolFacts.SideEffect;
import dev.executor.policy.service.PolicyEngine;

/**
 * In-process benchmark of {@link PolicyEngine#decide}: 1,000 policies × 10,000 tools
 * ({@link BenchWorld}). Not a test; run it with {@code bench/policy-decide.sh} (see
 * docs/benchmarks.md). Measures the latency of single decisions (each timed with
 * {@code System.nanoTime}, after a warm-up) and the throughput of 1 and N threads. Half the
 * decisions run under a toolkit. Address parsing is included, as in the gRPC path.
 */
public final class DecideBenchmark {

    public static void main(String[] args) throws InterruptedException {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        BenchWorld world = new BenchWorld();
        long buildStart = System.nanoTime();
        PolicyEngine engine = PolicyEngine.build(world.state());
        long buildMicros = (System.nanoTime() - buildStart) / 1_000;
        List<String> addresses = world.addresses;
        SideEffect[] effects = SideEffect.values();

        // warm-up: let the JIT settle
        long sink = 0;
        for (int i = 0; i < 500_000; i++) {
            sink += decide(engine, addresses.get(i % addresses.size()), effects[i % 3], i).rules().size();
        }

        // latency: one thread, each decision timed
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            String address = addresses.get((int) ((i * 7919L) % addresses.size()));
            long start = System.nanoTime();
            Decision d = decide(engine, address, effects[i % 3], i);
            nanos[i] = System.nanoTime() - start;
            sink += d.rules().size();
        }
        Arrays.sort(nanos);

        // throughput: 1 thread, then `threads` threads, 3 s each
        double single = throughput(engine, addresses, 1);
        double multi = throughput(engine, addresses, threads);

        System.out.printf(Locale.ROOT, "world: %d policies, %d tools, %d toolkit(s); engine built in %d µs%n",
                world.policies.size(), addresses.size(), world.toolkits.size(), buildMicros);
        System.out.printf(Locale.ROOT, "Decide in-process latency over %d decisions: p50 %.2f µs, p99 %.2f µs, p99.9 %.2f µs, max %.1f µs%n",
                samples, micros(nanos, 0.50), micros(nanos, 0.99), micros(nanos, 0.999), nanos[samples - 1] / 1_000.0);
        System.out.printf(Locale.ROOT, "Decide in-process throughput: %,.0f decisions/s on 1 thread, %,.0f decisions/s on %d threads%n",
                single, multi, threads);
        System.out.println("(checksum " + sink + ")");
    }

    static Decision decide(PolicyEngine engine, String address, SideEffect effect, int i) {
        return engine.decide(BenchWorld.CHAIN, (i & 1) == 0 ? null : "triage", Address.parse(address), ToolFacts.of(effect));
    }

    static double micros(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1_000.0;
    }

    static double throughput(PolicyEngine engine, List<String> addresses, int threads) throws InterruptedException {
        LongAdder done = new LongAdder();
        long durationNanos = 3_000_000_000L;
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int offset = t * 1_000;
            workers[t] = Thread.ofPlatform().start(() -> {
                SideEffect[] effects = SideEffect.values();
                long local = 0;
                int i = offset;
                while (System.nanoTime() - start < durationNanos) {
                    for (int k = 0; k < 1_000; k++, i++) {
                        decide(engine, addresses.get((i & Integer.MAX_VALUE) % addresses.size()), effects[i % 3], i);
                    }
                    local += 1_000;
                }
                done.add(local);
            });
        }
        for (Thread w : workers) {
            w.join();
        }
        return done.sum() / ((System.nanoTime() - start) / 1e9);
    }
}
