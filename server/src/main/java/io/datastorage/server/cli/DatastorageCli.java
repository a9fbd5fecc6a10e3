package io.datastorage.server.cli;

import io.datastorage.server.DatastorageApplication;
import org.springframework.boot.SpringApplication;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The {@code datastorage} command line: {@code serve} starts the service, {@code reconcile} asks a running one to reconcile. */
@Command(name = "datastorage", mixinStandardHelpOptions = true, version = "datastorage 0.1.0",
        description = "Audit-trail persistence gateway.",
        subcommands = {DatastorageCli.Serve.class, ReconcileCommand.class, CommandLine.HelpCommand.class})
public final class DatastorageCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new DatastorageCli());
        int code = commandLine.execute(args);
        // serve returns once the server runs; its non-daemon threads keep the process alive.
        if (code != 0 || !Serve.started) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Start the service (API and health on 8080, metrics on 9090).",
                    "Any --name=value after the options is passed to Spring Boot, e.g. --datastorage.db.url=jdbc:postgresql://db/audit.",
                    "Every setting can also come from the environment, e.g. DATASTORAGE_DATA_DIR."})
    static final class Serve implements Callable<Integer> {
        static volatile boolean started;

        @Option(names = "--data-dir", description = "Data directory (datastorage.data-dir, default ./data).")
        Path dataDir;

        @Option(names = "--port", description = "API port (server.port, default 8080).")
        Integer port;

        @Unmatched
        List<String> springArgs = new ArrayList<>();

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(springArgs);
            if (dataDir != null) {
                args.add("--datastorage.data-dir=" + dataDir);
            }
            if (port != null) {
                args.add("--server.port=" + port);
            }
            SpringApplication.run(DatastorageApplication.class, args.toArray(String[]::new));
            started = true;
            return 0;
        }
    }
}
