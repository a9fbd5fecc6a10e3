package io.datastorage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code migration validate [--repair]}: asks a running service to compare its two stores (and, with
 * {@code --repair}, to put what the primary holds and the other store lacks), shows the progress and
 * prints the report. Exit code 0 when the stores agree, 2 when differences remain, 1 when the run
 * failed or the service could not be reached.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Compare the migration's two stores of a running service and print the report.",
                "Exit code 0 when they agree, 2 when differences remain, 1 when the run failed."})
final class MigrationValidateCommand implements Callable<Integer> {
    /** The exit code of a report that leaves differences. */
    static final int DIFFERENCES = 2;
    static final String PATH = MigrationCommand.PATH + "/validate";

    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    ServiceUrl service;

    @Option(names = "--repair", description = "Repair: copy to the secondary store each record the current "
            + "phase's primary holds and it lacks (never overwrites nor deletes).")
    boolean repair;

    @Option(names = "--bar", negatable = true, description = "Draw a progress bar (default: when writing to a terminal).")
    Boolean bar;

    /** The validation as a long job: progress in windows of the id space compared; remembers whether the report was consistent. */
    static LongJob job(AtomicBoolean consistent) {
        return new LongJob("validation",
                status -> status.path("running").asBoolean() ? new LongJob.Progress(
                        status.path("progress").path("windowsDone").asLong(),
                        status.path("progress").path("windowsTotal").asLong(), "windows") : null,
                report -> {
                    boolean isReport = report.has("consistent") && report.has("checked");
                    consistent.set(isReport && report.path("consistent").asBoolean());
                    return isReport;
                });
    }

    @Override
    public Integer call() throws InterruptedException {
        boolean drawBar = bar != null ? bar : System.console() != null;
        URI status = service.url.resolve(PATH);
        URI run = service.url.resolve(PATH + (repair ? "?repair=true" : ""));
        AtomicBoolean consistent = new AtomicBoolean();
        int exit = job(consistent).run(service.url, service.authorization(), run, null, status, drawBar, spec.commandLine().getOut(),
                spec.commandLine().getErr());
        return exit == 0 && !consistent.get() ? DIFFERENCES : exit;
    }
}
