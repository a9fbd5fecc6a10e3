package io.datastorage.auth.kubernetes;

import com.github.benmanes.caffeine.cache.Ticker;
import io.datastorage.core.access.AccessPolicy;
import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.access.Action;
import io.datastorage.core.access.Decision;
import io.datastorage.core.access.Subject;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;
import java.util.Objects;

/**
 * Authorizes by Kubernetes SubjectAccessReview ({@code authorization.k8s.io/v1}), so access is
 * granted with ordinary RBAC (a ClusterRole on resource {@code audits} of API group
 * {@code datastorage.io}, bound to ServiceAccounts or groups). The mapping (README, "tokenreview mode"):
 *
 * <table>
 *   <tr><th>action</th><th>verb</th><th>resource</th></tr>
 *   <tr><td>{@code write:<kind>}</td><td>{@code create}</td><td>{@code audits/<kind>}</td></tr>
 *   <tr><td>{@code read}</td><td>{@code get}</td><td>{@code audits}</td></tr>
 *   <tr><td>{@code search}</td><td>{@code list}</td><td>{@code audits}</td></tr>
 *   <tr><td>{@code admin}</td><td>{@code create}</td><td>{@code audits/admin}</td></tr>
 * </table>
 * Writing is granted per kind by subresource, so a ClusterRole naming {@code audits} alone grants no
 * write. No kind is named {@code admin} (a test holds it), so the admin subresource cannot be
 * mistaken for a kind. The review carries no namespace: only ClusterRoleBindings grant.
 *
 * <p>Caching: an allow is kept at most {@code allowTtl} (≤ 60 s), a denial at most {@code denyTtl}
 * (≤ 2 s), a failure never; concurrent identical reviews make one call. The key is the subject's
 * name, its groups and the action (no token). The token's own expiry bounds its
 * {@link TokenReviewer} entry, which every request passes before it reaches this policy.
 *
 * <p>The review sends the user and groups of the {@link Subject}; RBAC decides on those alone
 * (a TokenReview's uid and extra are not carried by {@link Subject}).
 */
public final class SubjectAccessReviewPolicy implements AccessPolicy {
    /** The API group of the resource RBAC grants on. */
    public static final String API_GROUP = "datastorage.io";
    /** The resource RBAC grants on. */
    public static final String RESOURCE = "audits";
    /** The subresource of {@link #RESOURCE} that stands for the admin endpoints. */
    public static final String ADMIN_SUBRESOURCE = "admin";

    private final KubernetesClient client;
    private final ReviewSettings settings;
    private final ReviewCache<Key, Decision> cache;

    private record Key(String user, List<String> groups, String action) {}

    public SubjectAccessReviewPolicy(KubernetesClient client, ReviewSettings settings) {
        this(client, settings, Ticker.systemTicker());
    }

    /** @param ticker the cache's time (tests advance it instead of sleeping) */
    public SubjectAccessReviewPolicy(KubernetesClient client, ReviewSettings settings, Ticker ticker) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cache = new ReviewCache<>(settings.maximumSize(), ticker);
    }

    /**
     * @throws AccessReviewUnavailableException the API server could not be asked (never a denial)
     */
    @Override
    public Decision decide(Subject subject, Action action) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(action, "action");
        List<String> groups = subject.groups().stream().sorted().toList();
        return cache.get(new Key(subject.name(), groups, action.wireName()), () -> ask(subject.name(), groups, action));
    }

    /** The resource attributes {@code action} is reviewed as (the mapping above). */
    public static ResourceAttributes attributes(Action action) {
        ResourceAttributesBuilder attributes = new ResourceAttributesBuilder().withGroup(API_GROUP).withResource(RESOURCE);
        return switch (action) {
            case Action.Write write -> attributes.withVerb("create").withSubresource(write.kind().pathName()).build();
            case Action.Read read -> attributes.withVerb("get").build();
            case Action.Search search -> attributes.withVerb("list").build();
            case Action.Admin admin -> attributes.withVerb("create").withSubresource(ADMIN_SUBRESOURCE).build();
        };
    }

    private ReviewCache.Timed<Decision> ask(String user, List<String> groups, Action action) {
        SubjectAccessReview request = new SubjectAccessReviewBuilder()
                .withNewSpec().withUser(user).withGroups(groups).withResourceAttributes(attributes(action)).endSpec()
                .build();
        SubjectAccessReview answer;
        try {
            answer = client.authorization().v1().subjectAccessReview().create(request);
        } catch (RuntimeException e) {
            throw ApiServerFailures.unavailable("SubjectAccessReview", e);
        }
        SubjectAccessReviewStatus status = answer == null ? null : answer.getStatus();
        String rule = describe(action);
        if (status != null && Boolean.TRUE.equals(status.getAllowed())) {
            return new ReviewCache.Timed<>(Decision.allow("RBAC allows " + rule), settings.allowTtl());
        }
        String reason = status == null || status.getReason() == null || status.getReason().isBlank()
                ? "no RBAC rule allows " + rule
                : "RBAC does not allow " + rule + ": " + status.getReason();
        return new ReviewCache.Timed<>(Decision.deny(reason), settings.denyTtl());
    }

    private static String describe(Action action) {
        ResourceAttributes a = attributes(action);
        return "verb " + a.getVerb() + " on " + a.getResource()
                + (a.getSubresource() == null ? "" : "/" + a.getSubresource()) + " (" + API_GROUP + ")";
    }
}
