package io.datastorage.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What one run of the service benchmark measured: written as JSON and as a plain-text table. */
record Summary(String mode, String command, String started, Machine machine, List<Baseline> baselines,
               List<Scenario> scenarios, Map<String, Double> ratios, List<Target> targets, List<String> notes) {

    record Machine(int cores, String java, String os, long maxHeapMiB) {
    }

    record Baseline(String name, String unit, long count, double seconds, double perSecond, double p50Ms,
                    double p95Ms, double p99Ms) {
        static Baseline of(RawBaselines.Measured m) {
            return new Baseline(m.name(), m.unit(), m.count(), round(m.seconds()), round(m.perSecond()),
                    millis(m, 50), millis(m, 95), millis(m, 99));
        }

        private static double millis(RawBaselines.Measured m, double percentile) {
            return round(m.latency().getValueAtPercentile(percentile) / 1000.0);
        }
    }

    /** A service scenario: one row per offered rate. */
    record Scenario(String name, String description, int recordsPerRequest, List<Step> steps) {
        /** The most answers per second any step achieved. */
        double bestThroughput() {
            return steps.stream().mapToDouble(Step::throughput).max().orElse(0);
        }

        Step at(double offered) {
            return steps.stream().filter(s -> s.offeredPerSecond() == offered).findFirst().orElse(null);
        }
    }

    record Step(double offeredPerSecond, long sent, long ok, long failed, double seconds, double throughput,
                double p50Ms, double p95Ms, double p99Ms, double maxMs, Cpu cpuSeconds, Double cacheHitRatio,
                String firstFailure) {
        static Step of(OpenLoop.Step s, Cpu cpu, Double cacheHitRatio) {
            return new Step(round(s.offeredPerSecond()), s.requests(), s.ok(), s.failed(), round(s.seconds()),
                    round(s.throughput()), round(s.millisAt(50)), round(s.millisAt(95)), round(s.millisAt(99)),
                    round(s.millisAt(100)), cpu, cacheHitRatio == null ? null : round(cacheHitRatio), s.firstFailure());
        }

        /** Whether the service kept up: nearly all offered answered, none failed. */
        boolean keptUp() {
            return failed == 0 && throughput >= 0.9 * offeredPerSecond;
        }
    }

    /**
     * CPU seconds spent during a step by this load generator, the service's JVM (or its replicas'),
     * its PostgreSQL and, in the cluster benchmark, the SolrCloud (else null, and left out).
     */
    record Cpu(double loadGenerator, double service, double postgres,
               @JsonInclude(JsonInclude.Include.NON_NULL) Double solr) {
        Cpu(double loadGenerator, double service, double postgres) {
            this(loadGenerator, service, postgres, null);
        }

        String format() {
            return String.format(Locale.ROOT, "%.1f/%.1f/%.1f", loadGenerator, service, postgres)
                    + (solr == null ? "" : String.format(Locale.ROOT, "/%.1f", solr));
        }
    }

    record Target(String name, String goal, double measured, boolean met, String detail) {
    }

    static double round(double value) {
        return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : value;
    }

    void writeJson(Path file) {
        JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        write(file, json.writeValueAsString(this) + "\n");
    }

    /** The human-readable table. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "datastorage service benchmark, %s mode, %s%n", mode, started));
        out.append(String.format(Locale.ROOT, "%d cores, Java %s, %s, command: %s%n%n", machine.cores(), machine.java(),
                machine.os(), command));
        out.append("Raw baselines (closed loop: the most each part does alone)\n");
        out.append(String.format(Locale.ROOT, "%-58s %10s %12s %9s %9s %9s%n", "baseline", "count", "per second",
                "p50 ms", "p95 ms", "p99 ms"));
        for (Baseline b : baselines) {
            out.append(String.format(Locale.ROOT, "%-58s %10d %12.1f %9.2f %9.2f %9.2f%n", b.name(), b.count(),
                    b.perSecond(), b.p50Ms(), b.p95Ms(), b.p99Ms()));
        }
        out.append("\nService scenarios (open loop at fixed offered rates; latency from each request's due time)\n");
        out.append(String.format(Locale.ROOT, "%-26s %9s %10s %11s %9s %9s %9s %7s %6s %22s%n", "scenario", "offered/s",
                "answered/s", "records/s", "p50 ms", "p95 ms", "p99 ms", "failed", "hits", "cpu s gen/svc/pg"));
        for (Scenario scenario : scenarios) {
            for (Step s : scenario.steps()) {
                out.append(String.format(Locale.ROOT, "%-26s %9.0f %10.1f %11.1f %9.2f %9.2f %9.2f %7d %6s %22s%n",
                        scenario.name(), s.offeredPerSecond(), s.throughput(), s.throughput() * scenario.recordsPerRequest(),
                        s.p50Ms(), s.p95Ms(), s.p99Ms(), s.failed(),
                        s.cacheHitRatio() == null ? "-" : String.format(Locale.ROOT, "%.2f", s.cacheHitRatio()),
                        s.cpuSeconds().format()));
            }
        }
        out.append("\nRatios\n");
        ratios.forEach((name, value) -> out.append(String.format(Locale.ROOT, "  %-52s %8.3f%n", name, value)));
        out.append("\nTargets\n");
        for (Target t : targets) {
            out.append(String.format(Locale.ROOT, "  %-52s %-14s %10.3f  %-7s %s%n", t.name(), t.goal(), t.measured(),
                    t.met() ? "met" : "MISSED", t.detail()));
        }
        if (!notes.isEmpty()) {
            out.append("\nNotes\n");
            notes.forEach(n -> out.append("  - ").append(n).append('\n'));
        }
        return out.toString();
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
