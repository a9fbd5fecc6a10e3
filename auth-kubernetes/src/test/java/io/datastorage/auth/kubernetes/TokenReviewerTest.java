package io.datastorage.auth.kubernetes;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.datastorage.auth.kubernetes.ApiServerMock.TOKEN_REVIEWS;
import static io.datastorage.auth.kubernetes.ApiServerMock.authenticated;
import static io.datastorage.auth.kubernetes.ApiServerMock.unauthenticated;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link TokenReviewer} against the fabric8 Kubernetes mock server in expectations mode: no real
 * API server can be installed where these tests run, so the mock answers each TokenReview exactly
 * as a test expects (and counts the requests, which is how caching and collapsing are checked).
 * Cache time is a {@link FakeTime} the tests advance; nothing sleeps.
 */
class TokenReviewerTest {
    private static final String SA = "system:serviceaccount:kubernaut:gateway";
    private static final List<String> SA_GROUPS =
            List.of("system:serviceaccounts", "system:serviceaccounts:kubernaut", "system:authenticated");
    private static final String TOKEN = "opaque-token-7f3a9c-never-in-messages";

    private final FakeTime time = new FakeTime();
    private final ApiServerMock api = new ApiServerMock(Duration.ofSeconds(5));
    private final TokenReviewer reviewer = new TokenReviewer(api.client(), ReviewSettings.of("datastorage"), time, time);

    @AfterEach
    void stop() {
        api.close();
    }

    private void expect(Object answer) {
        api.server.expect().post().withPath(TOKEN_REVIEWS).andReturn(200, answer).once();
    }

    @Test
    void anAuthenticatedTokenGivesItsSubjectAndGroupsAndAsksForOurAudience() throws Exception {
        expect(authenticated(SA, SA_GROUPS, List.of("datastorage")));

        ReviewedToken reviewed = reviewer.review(TOKEN);

        assertThat(reviewed.subject()).isEqualTo(SA);
        assertThat(reviewed.groups()).containsExactlyElementsOf(SA_GROUPS);
        assertThat(reviewed.expiresAt()).isEmpty();
        RecordedRequest request = api.server.takeRequest();
        assertThat(request.getUtf8Body()).contains("\"audiences\":[\"datastorage\"]").contains(TOKEN);
    }

    @Test
    void aTokenForTheApiServersAudienceIsInvalid() {
        // A default API-server token replayed: authenticated, but for the API server's audience only.
        expect(authenticated(SA, SA_GROUPS, List.of("https://kubernetes.default.svc.cluster.local")));

        assertThatThrownBy(() -> reviewer.review(TOKEN))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("audience 'datastorage'");
    }

    @Test
    void anAuthenticatedTokenWithNoAudiencesInTheAnswerIsInvalid() {
        // An empty status.audiences means "valid for the API server itself" (TokenReview API).
        expect(authenticated(SA, SA_GROUPS, List.of()));

        assertThatThrownBy(() -> reviewer.review(TOKEN)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void anUnauthenticatedTokenIsInvalid() {
        expect(unauthenticated());

        assertThatThrownBy(() -> reviewer.review(TOKEN))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("not authenticated");
    }

    @Test
    void anAuthenticatedAnswerNamingNoUserIsInvalid() {
        expect(authenticated(" ", SA_GROUPS, List.of("datastorage")));

        assertThatThrownBy(() -> reviewer.review(TOKEN))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("no user");
    }

    /** The user name as JSON text: the API server's answer may escape anything JSON can. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"a\\u0000b\\nX", "line\\rbreak", "half-\\ud800-pair"})
    void anAnswerNamingAUserThatCannotBeRecordedIsInvalid(String jsonUser) {
        expect("""
                {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","status":{"authenticated":true,\
                "audiences":["datastorage"],"user":{"username":"%s","groups":["system:authenticated"]}}}"""
                .formatted(jsonUser));

        assertThatThrownBy(() -> reviewer.review(TOKEN))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("user name");
    }

    @Test
    void anAnswerNamingAUserLongerThanTheBoundIsInvalid() {
        expect(authenticated("u".repeat(io.datastorage.core.access.Subject.MAX_NAME_LENGTH + 1), SA_GROUPS,
                List.of("datastorage")));

        assertThatThrownBy(() -> reviewer.review(TOKEN))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("longer than 512");
    }

    @Test
    void groupNamesThatCannotStandForAGroupAreDropped() {
        expect(authenticated(SA, List.of("system:authenticated", "evil\u0000group", "", "x".repeat(513), "sre"),
                List.of("datastorage")));

        assertThat(reviewer.review(TOKEN).groups()).containsExactly("system:authenticated", "sre");
    }

    @Test
    void aBlankTokenIsInvalidWithoutAskingTheApiServer() {
        assertThatThrownBy(() -> reviewer.review(" ")).isInstanceOf(InvalidTokenException.class);
        assertThat(api.requests()).isZero();
    }

    @Test
    void anApiServerErrorIsUnavailableNeverInvalid() {
        api.server.expect().post().withPath(TOKEN_REVIEWS).andReturn(500, "etcdserver: request timed out").once();

        assertThatThrownBy(() -> reviewer.review(TOKEN))
                .isInstanceOf(AccessReviewUnavailableException.class)
                .hasMessageContaining("HTTP 500");
    }

    @Test
    void theApiServerRefusingUsTheReviewIsUnavailableNeverInvalid() {
        api.server.expect().post().withPath(TOKEN_REVIEWS).andReturn(403, "forbidden").once();

        assertThatThrownBy(() -> reviewer.review(TOKEN))
                .isInstanceOf(AccessReviewUnavailableException.class)
                .hasMessageContaining("system:auth-delegator");
    }

    @Test
    void aSlowApiServerIsUnavailableNeverInvalid() {
        try (ApiServerMock slow = new ApiServerMock(Duration.ofMillis(200))) {
            slow.server.expect().post().delay(10, TimeUnit.SECONDS).withPath(TOKEN_REVIEWS)
                    .andReturn(200, authenticated(SA, SA_GROUPS, List.of("datastorage"))).once();
            TokenReviewer impatient = new TokenReviewer(slow.client(), ReviewSettings.of("datastorage"), time, time);

            assertThatThrownBy(() -> impatient.review(TOKEN))
                    .isInstanceOf(AccessReviewUnavailableException.class)
                    .hasMessageContaining("unreachable or too slow");
        }
    }

    @Test
    void anApiServerRefusingConnectionsIsUnavailableNeverInvalid() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var connection = new ApiServerConnection(Optional.of(java.net.URI.create("http://127.0.0.1:" + closedPort)),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(2));
        try (KubernetesClient down = connection.newClient()) {
            TokenReviewer reviewerOfDown = new TokenReviewer(down, ReviewSettings.of("datastorage"), time, time);

            assertThatThrownBy(() -> reviewerOfDown.review(TOKEN))
                    .isInstanceOf(AccessReviewUnavailableException.class)
                    .hasMessageContaining("unreachable or too slow");
        }
    }

    @Test
    void aFailureIsNotCachedTheNextReviewAsksAgain() {
        api.server.expect().post().withPath(TOKEN_REVIEWS).andReturn(503, "overloaded").once();
        expect(authenticated(SA, SA_GROUPS, List.of("datastorage")));

        assertThatThrownBy(() -> reviewer.review(TOKEN)).isInstanceOf(AccessReviewUnavailableException.class);
        assertThat(reviewer.review(TOKEN).subject()).isEqualTo(SA);
        assertThat(api.requests()).isEqualTo(2);
    }

    @Test
    void anAuthenticatedTokenIsServedFromTheCacheForAtMostSixtySeconds() {
        expect(authenticated(SA, SA_GROUPS, List.of("datastorage")));
        expect(unauthenticated()); // revoked meanwhile

        reviewer.review(TOKEN);
        time.advance(Duration.ofSeconds(59));
        assertThat(reviewer.review(TOKEN).subject()).isEqualTo(SA);
        assertThat(api.requests()).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> reviewer.review(TOKEN)).isInstanceOf(InvalidTokenException.class);
        assertThat(api.requests()).isEqualTo(2);
    }

    @Test
    void aTokenThatExpiresSoonerIsCachedOnlyUntilItsExpiry() {
        String jwt = jwtExpiringAt(FakeTime.START.plusSeconds(30).getEpochSecond());
        expect(authenticated(SA, SA_GROUPS, List.of("datastorage")));
        expect(unauthenticated());

        assertThat(reviewer.review(jwt).expiresAt()).contains(FakeTime.START.plusSeconds(30));
        time.advance(Duration.ofSeconds(29));
        reviewer.review(jwt);
        assertThat(api.requests()).isEqualTo(1);

        time.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> reviewer.review(jwt)).isInstanceOf(InvalidTokenException.class);
        assertThat(api.requests()).isEqualTo(2);
    }

    @Test
    void anInvalidTokenIsServedFromTheCacheForAtMostTwoSeconds() {
        expect(unauthenticated());
        expect(authenticated(SA, SA_GROUPS, List.of("datastorage")));

        assertThatThrownBy(() -> reviewer.review(TOKEN)).isInstanceOf(InvalidTokenException.class);
        time.advance(Duration.ofMillis(1999));
        assertThatThrownBy(() -> reviewer.review(TOKEN)).isInstanceOf(InvalidTokenException.class);
        assertThat(api.requests()).isEqualTo(1);

        time.advance(Duration.ofMillis(1));
        assertThat(reviewer.review(TOKEN).subject()).isEqualTo(SA);
        assertThat(api.requests()).isEqualTo(2);
    }

    @Test
    void concurrentReviewsOfOneTokenMakeOneRequest() throws Exception {
        int callers = 8;
        CountDownLatch release = new CountDownLatch(1);
        api.server.expect().post().withPath(TOKEN_REVIEWS).andReply(200, request -> {
            awaitQuietly(release);
            return authenticated(SA, SA_GROUPS, List.of("datastorage"));
        }).once();
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Thread> threads = new ArrayList<>();
            List<Future<ReviewedToken>> answers = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(callers);
            for (int i = 0; i < callers; i++) {
                answers.add(pool.submit(() -> {
                    synchronized (threads) {
                        threads.add(Thread.currentThread());
                    }
                    started.countDown();
                    return reviewer.review(TOKEN);
                }));
            }
            started.await();
            api.server.takeRequest(); // the first review is at the API server, held there
            // Every caller is waiting (on the first review's answer, or, were they not collapsed, on their own).
            org.awaitility.Awaitility.await().until(() -> {
                synchronized (threads) {
                    return threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                            || t.getState() == Thread.State.TIMED_WAITING);
                }
            });
            release.countDown();

            for (Future<ReviewedToken> answer : answers) {
                assertThat(answer.get().subject()).isEqualTo(SA);
            }
            assertThat(api.requests()).isEqualTo(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void theTokenAppearsInNoExceptionNorMessage() {
        expect(unauthenticated());
        api.server.expect().post().withPath(TOKEN_REVIEWS).andReturn(500, "internal error").once();
        String other = TOKEN + "-2";

        Throwable invalid = catchThrowable(() -> reviewer.review(TOKEN));
        Throwable unavailable = catchThrowable(() -> reviewer.review(other));

        for (Throwable failure : List.of(invalid, unavailable)) {
            assertThat(failure).isNotNull();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(TOKEN);
                assertThat(t.toString()).doesNotContain(TOKEN);
            }
        }
    }

    @Test
    void cacheKeysAreTheTokensSha256NeverTheToken() {
        assertThat(TokenReviewer.sha256("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    private static String jwtExpiringAt(long epochSecond) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"aud\":[\"datastorage\"],\"exp\":" + epochSecond + ",\"sub\":\"" + SA + "\"}")
                        .getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString("not-checked".getBytes(StandardCharsets.UTF_8));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
