package io.datastorage.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.concurrent.Callable;

/**
 * The records' hash chains of a running service, through its admin API: {@code integrity verify}
 * asks for a verification (from the checkpoints, or {@code --full} from each chain's start), shows
 * its progress and prints the report.
 */
@Command(name = "integrity", mixinStandardHelpOptions = true,
        description = {"Verify the hash chains that make the audit records tamper-evident."},
        subcommands = {IntegrityCommand.Verify.class})
public final class IntegrityCommand implements Runnable {
    static final String PATH = "/api/v1/admin/integrity/verify";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The verification as a long job: progress in records verified. */
    static final LongJob JOB = new LongJob("integrity verification",
            status -> status.path("running").asBoolean() ? new LongJob.Progress(
                    status.path("progress").path("recordsVerified").asLong(),
                    status.path("progress").path("recordsTotal").asLong(), "records") : null,
            report -> report.has("consistent") && report.has("broken"));

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Walk the hash chains of a running service and print each broken chain's first broken link.",
                    "Exit code 0 when every chain holds, 1 when one is broken, 2 when the verification could not run."})
    static final class Verify implements Callable<Integer> {
        private static final JsonMapper JSON = JsonMapper.builder().build();

        @Spec
        CommandSpec spec;

        @CommandLine.Mixin
        ServiceUrl service;

        @Option(names = "--full", description = "Walk every chain from its start, not from the last verified checkpoint.")
        boolean full;

        @Option(names = "--bar", negatable = true, description = "Draw a progress bar (default: when writing to a terminal).")
        Boolean bar;

        @Override
        public Integer call() throws InterruptedException {
            boolean drawBar = bar != null ? bar : System.console() != null;
            URI status = service.url.resolve(PATH);
            URI run = service.url.resolve(PATH + (full ? "?full=true" : ""));
            StringWriter report = new StringWriter();
            PrintWriter out = spec.commandLine().getOut();
            int code = JOB.run(service.url, service.authorization(), run, null, status, drawBar, new PrintWriter(report, true),
                    spec.commandLine().getErr());
            out.print(report);
            out.flush();
            if (code != 0) {
                return 2; // said on standard error
            }
            try {
                return JSON.readTree(report.toString()).path("consistent").asBoolean(false) ? 0 : 1;
            } catch (JacksonException e) {
                return 2;
            }
        }
    }
}
