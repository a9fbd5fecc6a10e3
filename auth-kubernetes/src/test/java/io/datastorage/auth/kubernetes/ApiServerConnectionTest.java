package io.datastorage.auth.kubernetes;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.datastorage.auth.kubernetes.ApiServerMock.TOKEN_REVIEWS;
import static io.datastorage.auth.kubernetes.ApiServerMock.authenticated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ApiServerConnection} with every part given (as outside a pod): the URL, the CA that signed
 * the API server's certificate, and a token file that is read again for each review, so a rotated
 * projected token is used at once. The API server is the fabric8 mock (HTTPS, expectations mode;
 * no real API server can be installed where the tests run).
 */
class ApiServerConnectionTest {
    private final KubernetesMockServer server = new KubernetesMockServer();

    @AfterEach
    void stop() {
        server.destroy();
    }

    @Test
    void theGivenUrlCaAndTokenFileAreUsedAndTheTokenFileIsReadForEachReview(@TempDir Path dir) throws Exception {
        server.init();
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "service-token-1\n");
        Path caFile = Path.of(server.getSelfSignedCertificate().certificatePath());
        var connection = new ApiServerConnection(Optional.of(URI.create(server.url("/"))), Optional.of(tokenFile),
                Optional.of(caFile), Duration.ofSeconds(5));
        server.expect().post().withPath(TOKEN_REVIEWS)
                .andReturn(200, authenticated("system:serviceaccount:a:b", List.of(), List.of("datastorage"))).times(2);

        try (KubernetesClient client = connection.newClient()) {
            TokenReviewer reviewer = new TokenReviewer(client, ReviewSettings.of("datastorage"));

            reviewer.review("caller-token-1");
            RecordedRequest first = server.takeRequest();
            Files.writeString(tokenFile, "service-token-2\n"); // the kubelet rotated it
            reviewer.review("caller-token-2");
            RecordedRequest second = server.takeRequest();

            assertThat(first.getHeader("Authorization")).isEqualTo("Bearer service-token-1");
            assertThat(second.getHeader("Authorization")).isEqualTo("Bearer service-token-2");
            assertThat(client.getConfiguration().getRequestTimeout()).isEqualTo(5000);
            assertThat(client.getConfiguration().getRequestRetryBackoffLimit()).isZero();
        }
    }

    @Test
    void aMissingTokenFileIsUnavailableNeverInvalid(@TempDir Path dir) {
        server.init();
        var connection = new ApiServerConnection(Optional.of(URI.create(server.url("/"))),
                Optional.of(dir.resolve("absent")), Optional.of(Path.of(server.getSelfSignedCertificate().certificatePath())),
                Duration.ofSeconds(5));

        try (KubernetesClient client = connection.newClient()) {
            TokenReviewer reviewer = new TokenReviewer(client, ReviewSettings.of("datastorage"));

            assertThatThrownBy(() -> reviewer.review("caller-token"))
                    .isInstanceOf(AccessReviewUnavailableException.class)
                    .hasMessageContaining("token file cannot be read");
        }
    }
}
