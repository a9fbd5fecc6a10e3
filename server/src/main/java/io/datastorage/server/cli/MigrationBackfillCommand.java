package io.datastorage.server.cli;

import io.datastorage.core.migration.BackfillDirection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code migration backfill --direction legacy-to-new|new-to-legacy}: asks a running service to
 * backfill (or joins its run of that direction), shows the progress and prints the result.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {"Copy the history one store of the migration holds and the other lacks, and print the result.",
                "Joins the run of that direction under way; resumes an unfinished one from its checkpoint.",
                "Exit code 0 when the backfill completed, 1 when it failed or stopped early."})
final class MigrationBackfillCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The backfill as a long job: progress in source records scanned. */
    static final LongJob JOB = new LongJob("backfill",
            status -> status.path("running").asBoolean() ? new LongJob.Progress(
                    status.path("progress").path("scanned").asLong(),
                    status.path("progress").path("total").asLong(), "records") : null,
            report -> report.has("complete") && report.has("direction") && report.has("scanned"));

    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    ServiceUrl service;

    @Option(names = "--direction", required = true, paramLabel = "DIRECTION",
            description = "legacy-to-new or new-to-legacy.")
    String direction;

    @Option(names = "--bar", negatable = true, description = "Draw a progress bar (default: when writing to a terminal).")
    Boolean bar;

    @Override
    public Integer call() throws InterruptedException {
        try {
            BackfillDirection.parse(direction);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--direction: " + e.getMessage());
        }
        boolean drawBar = bar != null ? bar : System.console() != null;
        URI path = service.url.resolve(MigrationCommand.PATH + "/backfill");
        StringWriter report = new StringWriter();
        int exit = JOB.run(service.url, service.authorization(), path, JSON.writeValueAsString(Map.of("direction", direction)), path, drawBar,
                new PrintWriter(report, true), spec.commandLine().getErr());
        PrintWriter out = spec.commandLine().getOut();
        out.print(report);
        out.flush();
        if (exit != 0) {
            return exit;
        }
        try {
            return JSON.readTree(report.toString()).path("complete").asBoolean() ? 0 : 1;
        } catch (JacksonException e) {
            return 1;
        }
    }
}
