package io.datastorage.auth.kubernetes;

import com.github.benmanes.caffeine.cache.Ticker;
import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.access.Subject;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates bearer tokens by Kubernetes TokenReview ({@code authentication.k8s.io/v1}) with
 * {@code spec.audiences = [audience]}, and caches the answers.
 *
 * <p>Contract of {@link #review(String)}:
 * <ul>
 *   <li>authenticated, and {@code status.audiences} contains our audience → a {@link ReviewedToken};
 *       its groups without the names that could not stand for a group ({@link Subject#nameProblem}:
 *       blank, longer than {@link Subject#MAX_NAME_LENGTH} characters, a control character or an
 *       unpaired surrogate), which can only take grants away;
 *   <li>not authenticated, or authenticated for other audiences only (an empty {@code status.audiences}
 *       means "valid for the API server itself": a default API-server token replayed) →
 *       {@link InvalidTokenException} (401); so is an answer naming no user, or a user name that could
 *       not stand for a caller ({@link Subject#nameProblem}), which could not be recorded as the writer;
 *   <li>the API server failed, was too slow, refused the connection, or refused us the review →
 *       {@link AccessReviewUnavailableException} (503), never {@link InvalidTokenException}.
 * </ul>
 *
 * <p>Caching: an authenticated token is served from the cache for at most
 * {@code min(allowTtl, token expiry)} (the expiry from the token's {@code exp} claim if it is a JWT),
 * an invalid one for at most {@code denyTtl}, a failure never; concurrent reviews of the same token
 * make one call. Cache keys are the token's SHA-256, never the token; nothing this class throws or
 * logs contains the token.
 *
 * <p>Thread-safe. The caller's thread makes the call, bounded by the client's request timeout.
 */
public final class TokenReviewer {
    private final KubernetesClient client;
    private final ReviewSettings settings;
    private final Clock clock;
    private final ReviewCache<String, Review> cache;

    /** The outcome kept in the cache: a token authenticated for us, or the reason it was not. */
    private sealed interface Review {}

    private record Authenticated(ReviewedToken token) implements Review {}

    private record Rejected(String reason) implements Review {}

    public TokenReviewer(KubernetesClient client, ReviewSettings settings) {
        this(client, settings, Ticker.systemTicker(), Clock.systemUTC());
    }

    /**
     * @param ticker the cache's time (tests advance it instead of sleeping)
     * @param clock  the wall clock a token's {@code exp} is compared with
     */
    public TokenReviewer(KubernetesClient client, ReviewSettings settings, Ticker ticker, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cache = new ReviewCache<>(settings.maximumSize(), ticker);
    }

    /**
     * @return who the token belongs to
     * @throws InvalidTokenException            the API server did not authenticate it for our audience
     * @throws AccessReviewUnavailableException the API server could not be asked
     */
    public ReviewedToken review(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new InvalidTokenException("the bearer token is empty");
        }
        Review review = cache.get(sha256(token), () -> ask(token));
        return switch (review) {
            case Authenticated a -> a.token();
            case Rejected r -> throw new InvalidTokenException(r.reason());
        };
    }

    private ReviewCache.Timed<Review> ask(String token) {
        TokenReview request = new TokenReviewBuilder()
                .withNewSpec().withToken(token).withAudiences(settings.audience()).endSpec()
                .build();
        TokenReview answer;
        try {
            answer = client.authentication().v1().tokenReviews().create(request);
        } catch (RuntimeException e) {
            throw ApiServerFailures.unavailable("TokenReview", e);
        }
        TokenReviewStatus status = answer == null ? null : answer.getStatus();
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
            return denial("the bearer token was not authenticated by the Kubernetes API server");
        }
        List<String> audiences = Objects.requireNonNullElse(status.getAudiences(), List.of());
        if (!audiences.contains(settings.audience())) {
            return denial("the bearer token was not issued for the audience '" + settings.audience() + "'");
        }
        UserInfo user = status.getUser();
        if (user == null || user.getUsername() == null || user.getUsername().isBlank()) {
            return denial("the Kubernetes API server named no user for the bearer token");
        }
        Optional<String> badName = Subject.nameProblem(user.getUsername());
        if (badName.isPresent()) {
            return denial("the user name the Kubernetes API server named for the bearer token " + badName.get());
        }
        List<String> groups = Objects.requireNonNullElse(user.getGroups(), List.<String>of()).stream()
                .filter(Subject::isValidName).toList();
        Optional<Instant> expiresAt = JwtExpiry.of(token);
        ReviewedToken reviewed = new ReviewedToken(user.getUsername(), groups, expiresAt);
        Duration ttl = settings.allowTtl();
        if (expiresAt.isPresent()) {
            Duration left = Duration.between(clock.instant(), expiresAt.get());
            ttl = left.isNegative() ? Duration.ZERO : left.compareTo(ttl) < 0 ? left : ttl;
        }
        return new ReviewCache.Timed<>(new Authenticated(reviewed), ttl);
    }

    private ReviewCache.Timed<Review> denial(String reason) {
        return new ReviewCache.Timed<>(new Rejected(reason), settings.denyTtl());
    }

    /** Entries the cache currently holds (for tests). */
    long cachedReviews() {
        return cache.size();
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
