package io.datastorage.server.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands that call the API send the bearer token given by {@code --token-file},
 * {@code DATASTORAGE_TOKEN_FILE} or {@code DATASTORAGE_TOKEN} (in that order), and none without;
 * a token file that cannot be used is a usage error that never quotes the token.
 */
class CliTokenTest {
    static final String REPORT = "{\"status\":\"done\",\"indexed\":0,\"missing\":0,\"orphans\":0,\"checked\":0}";
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer server;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"phase\":\"LEGACY_ONLY\",\"version\":1}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    record Run(int code, String err) {
    }

    Run run(Map<String, String> environment, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = DatastorageCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err));
        CommandLine status = cli.getSubcommands().get("migration").getSubcommands().get("status");
        ((MigrationCommand.Status) status.getCommand()).service.environment = environment;
        int code = cli.execute(args);
        return new Run(code, err.toString());
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void theTokenFileWinsOverTheEnvironmentAndIsSentAsBearer() throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "file-token\n");
        Path other = Files.writeString(dir.resolve("other"), "env-file-token");

        run(Map.of("DATASTORAGE_TOKEN_FILE", other.toString(), "DATASTORAGE_TOKEN", "env-token"),
                "migration", "status", "--url", url(), "--token-file", file.toString());
        run(Map.of("DATASTORAGE_TOKEN_FILE", other.toString(), "DATASTORAGE_TOKEN", "env-token"),
                "migration", "status", "--url", url());
        run(Map.of("DATASTORAGE_TOKEN", "env-token"), "migration", "status", "--url", url());
        run(Map.of(), "migration", "status", "--url", url());

        assertThat(authorizations).containsExactly("Bearer file-token", "Bearer env-file-token", "Bearer env-token", "null");
    }

    @Test
    void everyCommandThatCallsTheServiceSendsTheToken() throws IOException {
        Path file = Files.writeString(dir.resolve("token"), "admin-token\n");
        List<List<String>> commands = List.of(List.of("reconcile"), List.of("migration", "validate"),
                List.of("integrity", "verify"), List.of("retention", "report"), List.of("retention", "run"));

        for (List<String> command : commands) {
            int before = authorizations.size();
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--url", url(), "--token-file", file.toString()));
            DatastorageCli.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(new StringWriter()))
                    .execute(args.toArray(String[]::new));
            assertThat(authorizations.subList(before, authorizations.size())).as(String.join(" ", command))
                    .isNotEmpty().allMatch("Bearer admin-token"::equals);
        }
    }

    @Test
    void anUnusableTokenFileIsAUsageErrorThatNeverQuotesTheToken() throws IOException {
        Run missing = run(Map.of(), "migration", "status", "--url", url(), "--token-file", dir.resolve("nope").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--token-file names a file that cannot be read").contains("nope");

        Path spaced = Files.writeString(dir.resolve("spaced"), "secret part two");
        Run bad = run(Map.of(), "migration", "status", "--url", url(), "--token-file", spaced.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("must be one line of printable ASCII").doesNotContain("secret");
        assertThat(authorizations).isEmpty();
    }
}
