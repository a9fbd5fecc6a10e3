package io.datastorage.server.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The {@code --url} option of the commands that call a running service's API (a picocli mixin):
 * an http(s) URL with a host, {@code http://localhost:8080} by default; anything else is a usage
 * error naming the value.
 */
final class ServiceUrl {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    URI url = URI.create("http://localhost:8080");

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
}
