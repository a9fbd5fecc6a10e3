package io.datastorage.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bench/run.sh}: one subcommand per benchmark. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "datastorage benchmarks; each prints its figures next to raw baselines measured in the same run.",
        subcommands = {ServiceBench.class, EmbeddingBench.class, ReconcileBench.class, SearchBench.class,
                WriteOrderBench.class, FenceBench.class, MigrationBench.class, ClusterUp.class, ClusterBench.class,
                IntegrityBench.class})
public final class Bench implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }
}
