package io.datastorage.auth.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import static io.datastorage.core.config.ConfigChecks.range;

/**
 * How this service reaches the Kubernetes API server that reviews tokens and access.
 *
 * <p>Unset parts come from fabric8's {@link Config#autoConfigure(String)}: inside a pod, the
 * in-cluster configuration ({@code https://kubernetes.default.svc}, the pod's ServiceAccount token
 * and CA under {@code /var/run/secrets/kubernetes.io/serviceaccount/}, the token re-read as the
 * kubelet rotates it); outside one, the current context of {@code ~/.kube/config}.
 *
 * @param apiUrl    the API server's URL, instead of the auto-configured one
 * @param tokenFile a file holding the bearer token this service presents (re-read on every use,
 *                  so a rotated projected token is picked up), instead of the auto-configured one
 * @param caFile    a PEM file of the CA that signed the API server's certificate
 * @param timeout   how long connecting and each review may take (100 ms..5 min): past it the caller
 *                  is answered 503. A failed review is not retried here: the caller is told to retry
 */
public record ApiServerConnection(Optional<URI> apiUrl, Optional<Path> tokenFile, Optional<Path> caFile,
                                  Duration timeout) {

    public ApiServerConnection {
        Objects.requireNonNull(apiUrl, "apiUrl");
        Objects.requireNonNull(tokenFile, "tokenFile");
        Objects.requireNonNull(caFile, "caFile");
        range("timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(5));
    }

    /** Everything auto-configured, reviews bounded by {@code timeout}. */
    public static ApiServerConnection autoConfigured(Duration timeout) {
        return new ApiServerConnection(Optional.empty(), Optional.empty(), Optional.empty(), timeout);
    }

    /** A client for the API server; the caller closes it. */
    public KubernetesClient newClient() {
        Config config = Config.autoConfigure(null);
        apiUrl.ifPresent(url -> config.setMasterUrl(url.toString()));
        caFile.ifPresent(file -> config.setCaCertFile(file.toString()));
        tokenFile.ifPresent(file -> config.setOauthTokenProvider(() -> read(file)));
        return new KubernetesClientBuilder().withConfig(bounded(config)).build();
    }

    /** {@code config} with this connection's timeout and no retries; returns {@code config}. */
    public Config bounded(Config config) {
        int millis = (int) timeout.toMillis();
        config.setConnectionTimeout(millis);
        config.setRequestTimeout(millis);
        config.setRequestRetryBackoffLimit(0);
        return config;
    }

    private static String read(Path tokenFile) {
        try {
            return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API server token file " + tokenFile, e);
        }
    }
}
