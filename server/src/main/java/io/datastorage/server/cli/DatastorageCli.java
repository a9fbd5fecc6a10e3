package io.datastorage.server.cli;

import io.datastorage.server.DatastorageApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.util.unit.DataSize;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;

/**
 * The {@code datastorage} command line: {@code serve} starts the service, {@code reconcile} asks a
 * running one to reconcile, {@code migration} shows or moves a running one's migration.
 */
@Command(name = "datastorage", mixinStandardHelpOptions = true, version = "datastorage 0.1.0",
        description = "Audit-trail persistence gateway.",
        subcommands = {DatastorageCli.Serve.class, ReconcileCommand.class, MigrationCommand.class, RetentionCommand.class,
                IntegrityCommand.class, CommandLine.HelpCommand.class})
public final class DatastorageCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        // serve returns once the server runs; its non-daemon threads keep the process alive.
        if (code != 0 || !Serve.started) {
            System.exit(code);
        }
    }

    /**
     * The command line as {@code datastorage} runs it: a wrong option or value is one sentence on
     * standard error naming the fix (exit 2), an error while running one sentence (exit 1); never
     * a stack trace or the whole usage text.
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new DatastorageCli());
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            String name = command.getCommandSpec().qualifiedName();
            command.getErr().println(name + ": " + sentence(e.getMessage()) + " See '" + name + " --help'.");
            command.getErr().flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        commandLine.setExecutionExceptionHandler((e, command, parseResult) -> {
            String message = e instanceof StartFailedException ? e.getMessage() : describe(e);
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + sentence(message));
            command.getErr().flush();
            return command.getCommandSpec().exitCodeOnExecutionException();
        });
        return commandLine;
    }

    /** {@code serve} could not start the service; the message says why in one line. */
    static final class StartFailedException extends RuntimeException {
        StartFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What went wrong, from the innermost cause that says something. */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // A setting Spring could not convert: name it, with what was given and what is allowed.
            if (t instanceof BindException bind && bind.getProperty() != null) {
                Class<?> type = bind.getTarget().getType().resolve(Object.class);
                return bind.getProperty().getName() + " has an invalid value '" + bind.getProperty().getValue()
                        + "'; allowed: " + allowed(type);
            }
        }
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }

    private static String allowed(Class<?> type) {
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return Arrays.stream(type.getEnumConstants())
                    .map(c -> c.toString().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(", "));
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 30s, 5m";
        }
        if (type == DataSize.class) {
            return "a size such as 512KB, 1MB";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        return "a " + type.getSimpleName() + " (see docs/configuration.md)";
    }

    /** One line, ending with a full stop. */
    static String sentence(String text) {
        String line = text.lines().findFirst().orElse("").strip();
        return line.endsWith(".") ? line : line + ".";
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Start the service (API and health on 8080, metrics on 9090).",
                    // One example per line: picocli wraps at '.', '/' and '-', which would cut the tokens.
                    "Any --name=value after the options is passed to Spring Boot, for example:",
                    "  --datastorage.db.url=jdbc:postgresql://db/audit",
                    "Every setting can also come from the environment, for example:",
                    "  DATASTORAGE_DATA_DIR=/var/lib/datastorage"})
    static final class Serve implements Callable<Integer> {
        static volatile boolean started;

        @Option(names = "--data-dir", description = {"Data directory (datastorage.data-dir).", "Default: ./data"})
        Path dataDir;

        @Option(names = "--port", description = {"API port (server.port).", "Default: 8080"})
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
            try {
                SpringApplication.run(DatastorageApplication.class, args.toArray(String[]::new));
            } catch (RuntimeException e) {
                // Spring Boot has logged the failure and its analysis; say it in one line as well.
                throw new StartFailedException("the service did not start (see the log above): " + describe(e), e);
            }
            started = true;
            return 0;
        }
    }
}
