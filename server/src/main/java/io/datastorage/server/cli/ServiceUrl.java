package io.datastorage.server.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The {@code --url} option of the commands that call a running service's API (a picocli mixin):
 * an http(s) URL with a host, {@code http://localhost:8080} by default; anything else is a usage
 * error naming the value.
 * <p>
 * Also the bearer token those calls carry when the service authenticates its callers:
 * {@code --token-file}, else the environment's {@code DATASTORAGE_TOKEN_FILE}, else
 * {@code DATASTORAGE_TOKEN}; none, no token (mode none). There is no option taking the token
 * itself: a command line is visible to every user of the machine and kept in shell histories. The
 * file is read when the command runs, so a rotated projected token is picked up. No message
 * quotes the token.
 */
final class ServiceUrl {
    static final String TOKEN_FILE_VARIABLE = "DATASTORAGE_TOKEN_FILE";
    static final String TOKEN_VARIABLE = "DATASTORAGE_TOKEN";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    URI url = URI.create("http://localhost:8080");

    @Option(names = "--token-file", paramLabel = "FILE",
            description = {"File holding the bearer token to send (e.g. a projected ServiceAccount token).",
                    "Default: $" + TOKEN_FILE_VARIABLE + ", else the token in $" + TOKEN_VARIABLE + ", else none."})
    Path tokenFile;

    /** The environment the token is looked up in; replaced by tests. */
    Map<String, String> environment = System.getenv();

    @Option(names = "--url", defaultValue = "http://localhost:8080", paramLabel = "URL",
            description = {"Base URL of the service's API.", "Default: ${DEFAULT-VALUE}"})
    void url(String value) {
        URI parsed;
        try {
            parsed = new URI(value);
        } catch (URISyntaxException e) {
            parsed = null;
        }
        if (parsed == null || parsed.getScheme() == null || parsed.getHost() == null
                || !(parsed.getScheme().equalsIgnoreCase("http") || parsed.getScheme().equalsIgnoreCase("https"))) {
            throw new ParameterException(spec.commandLine(),
                    "--url must be an http:// or https:// URL such as http://localhost:8080, was '" + value + "'");
        }
        url = parsed;
    }

    /**
     * What every request to the service goes through: adds {@code Authorization: Bearer} when a
     * token is given.
     *
     * @throws ParameterException when the token file cannot be read or holds no usable token
     */
    UnaryOperator<HttpRequest.Builder> authorization() {
        String token = token();
        return token == null ? request -> request : request -> request.header("Authorization", "Bearer " + token);
    }

    private String token() {
        Path file = tokenFile;
        String source = "--token-file";
        if (file == null && environment.get(TOKEN_FILE_VARIABLE) != null && !environment.get(TOKEN_FILE_VARIABLE).isBlank()) {
            file = Path.of(environment.get(TOKEN_FILE_VARIABLE));
            source = TOKEN_FILE_VARIABLE;
        }
        String token;
        if (file != null) {
            try {
                token = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException | RuntimeException e) {
                throw new ParameterException(spec.commandLine(), source + " names a file that cannot be read: '" + file
                        + "' (" + e.getClass().getSimpleName() + ")");
            }
        } else {
            token = environment.get(TOKEN_VARIABLE);
            source = TOKEN_VARIABLE;
            if (token == null || token.isBlank()) {
                return null;
            }
            token = token.strip();
        }
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ParameterException(spec.commandLine(), "the token of " + source + " must be one line of printable "
                    + "ASCII without spaces (a bearer token such as a JWT); it is " + (token.isEmpty() ? "empty" : "not"));
        }
        return token;
    }
}
