package io.datastorage.server.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Issue 13, kind 9: the command line's help keeps every token whole, and every error is one
 * clear sentence on standard error with a non-zero exit, never {@code null} or a stack trace.
 */
class CliMessagesTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DatastorageCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Stream<Arguments> helpRequests() {
        return Stream.of(arguments((Object) new String[]{"--help"}), arguments((Object) new String[]{"serve", "--help"}),
                arguments((Object) new String[]{"reconcile", "--help"}), arguments((Object) new String[]{"help", "serve"}),
                arguments((Object) new String[]{"migration", "--help"}),
                arguments((Object) new String[]{"migration", "status", "--help"}),
                arguments((Object) new String[]{"migration", "phase", "--help"}),
                arguments((Object) new String[]{"migration", "validate", "--help"}),
                arguments((Object) new String[]{"integrity", "verify", "--help"}));
    }

    @ParameterizedTest
    @MethodSource("helpRequests")
    void helpNeverWrapsInsideAToken(String[] args) {
        Run help = run(args);

        assertThat(help.code()).isZero();
        List<String> tokens = new ArrayList<>();
        for (String text : descriptions()) {
            tokens.addAll(Arrays.asList(text.replace("${DEFAULT-VALUE}", "http://localhost:8080").split("\\s+")));
        }
        String usage = help.out();
        for (String line : usage.split("\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
        }
        // every token of the descriptions shown in this help is whole on one line
        for (String token : tokens) {
            if (token.length() > 1 && usage.replaceAll("\\s+", "").contains(token)) {
                assertThat(usage).as("'" + token + "' is cut in:\n" + usage).contains(token);
            }
        }
    }

    private static List<String> descriptions() {
        List<String> texts = new ArrayList<>();
        CommandLine cli = DatastorageCli.commandLine();
        collect(cli, texts);
        return texts;
    }

    private static void collect(CommandLine cli, List<String> texts) {
        texts.addAll(Arrays.asList(cli.getCommandSpec().usageMessage().description()));
        cli.getCommandSpec().options().forEach(o -> texts.addAll(Arrays.asList(o.description())));
        cli.getSubcommands().values().forEach(sub -> collect(sub, texts));
    }

    static Stream<Arguments> badUrls() {
        return Stream.of(
                arguments("not-a-url", "--url must be an http:// or https:// URL"),
                arguments("localhost:8080", "--url must be an http:// or https:// URL"),
                arguments("ftp://localhost", "--url must be an http:// or https:// URL"),
                arguments("http://", "--url must be an http:// or https:// URL"),
                arguments("http://a b", "--url must be an http:// or https:// URL"),
                arguments("", "--url must be an http:// or https:// URL"),
                arguments("http://127.0.0.1:1", "cannot reach http://127.0.0.1:1: connection refused"),
                arguments("http://no-such-host.invalid:8080", "cannot reach http://no-such-host.invalid:8080: unknown host"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUrls")
    void reconcileSaysInOneSentenceWhyItCannotRun(String url, String message) {
        Run run = run("reconcile", "--url", url, "--no-bar");

        assertOneSentence(run, message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"503", "404", "500", "200 not json", "200 html"})
    void reconcileReportsAnUnexpectedAnswerInOneSentence(String answer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int status = Integer.parseInt(answer.split(" ")[0]);
        byte[] body = (answer.endsWith("not json") ? "hello" : answer.endsWith("html") ? "<html>x</html>"
                : "{\"type\":\"urn:datastorage:problem:unavailable\",\"status\":" + status
                + ",\"detail\":\"The database is unavailable. Retry later.\"}").getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Run run = run("reconcile", "--url", "http://127.0.0.1:" + server.getAddress().getPort(), "--no-bar");

            assertOneSentence(run, status == 200 ? "is not a reconciliation report" : "reconciliation failed (HTTP " + status + ")");
            if (status != 200) {
                assertThat(run.err()).contains("The database is unavailable. Retry later.").doesNotContain("{");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void unknownOptionsAreOneSentenceWithAHint() {
        Run run = run("reconcile", "--nope");

        assertOneSentence(run, "Unknown option: '--nope'");
        assertThat(run.code()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port=abc", "--port", "--data-dir", "--port=99999999999"})
    void serveRefusesBadOptionValuesInOneSentence(String option) {
        Run run = run("serve", option);

        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).startsWith("datastorage serve: ").contains("--help").doesNotContain("Exception");
    }

    /** The last line names the property, the value given and what is allowed (a tester found "Invalid boolean value 'maybe'" alone). */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "datastorage.embedding.provider, nope, 'onnx, openai'",
            "datastorage.db.require-durable, maybe, true or false",
            "datastorage.write.deadline, soon, a duration"})
    void aServiceThatCannotStartEndsWithOneSentence(String property, String value, String allowed, @TempDir Path dataDir) {
        Run run = run("serve", "--data-dir=" + dataDir, "--port=0", "--management.server.port=0",
                "--" + property + "=" + value);

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).startsWith("datastorage serve: the service did not start")
                .contains(property).contains("'" + value + "'").contains(allowed);
    }

    @Test
    void unknownCommandsAreOneSentenceWithAHint() {
        Run run = run("migrate");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("migrate").contains("--help");
    }

    private static void assertOneSentence(Run run, String message) {
        assertThat(run.code()).as(run.err()).isNotZero();
        assertThat(run.err()).as(run.err()).contains(message)
                .doesNotContain("null").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
    }
}
