package io.datastorage.bench;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.embedding.EmbeddingText;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Realistic, never-repeated audit texts: the embedding text of generated remediation, AI analysis,
 * workflow and execution records, built by the service's own recipe ({@link EmbeddingText}). Each
 * carries its own pod names, counts and durations, so no two are equal and no cache can help.
 */
final class AuditTexts {
    private static final String[] SIGNALS = {"PodOOMKilled", "CrashLoopBackOff", "NodeDiskPressure", "HighRequestLatency",
            "ImagePullBackOff", "CPUThrottlingHigh", "KubeJobFailed", "CertificateExpiringSoon", "PVCAlmostFull"};
    private static final String[] CAUSES = {
            "container %s exceeded its memory limit of %dMi after a traffic spike",
            "a memory leak in the cache layer of %s grew the heap by %dMi per hour",
            "node %s ran out of ephemeral storage; %d pods were evicted",
            "the readiness probe of %s timed out %d times in a row",
            "registry credentials for %s expired %d minutes before the rollout",
            "the database connection pool of %s was exhausted by %d slow queries",
            "a misconfigured HPA kept %s at %d replicas under load"};
    private static final String[] ACTIONS = {"increase-memory-limit", "restart-deployment", "cordon-and-drain-node",
            "scale-out", "rollback-release", "rotate-credentials", "expand-volume"};
    private static final String[] MESSAGES = {
            "remediation of %s finished after %d seconds",
            "operator approved the change to %s; %d replicas now healthy",
            "step for %s retried %d times before success",
            "%s recovered; error rate back under %d per minute"};
    private static final String[] APPS = {"checkout", "payments", "search", "gateway", "inventory", "auth", "orders"};

    private final SplittableRandom random;
    private long serial;

    AuditTexts(long seed) {
        this.random = new SplittableRandom(seed);
    }

    List<String> next(int count) {
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            texts.add(next());
        }
        return texts;
    }

    String next() {
        AuditKind kind = AuditKind.values()[(int) ((serial + 1) % AuditKind.values().length)];
        return EmbeddingText.of(kind, textFields(kind));
    }

    /** The embedded fields of a fresh record of {@code kind}, as a client would send them. */
    Map<String, Object> textFields(AuditKind kind) {
        serial++;
        String pod = pick(APPS) + "-" + Long.toString(random.nextLong(1L << 40), 36) + "-" + serial;
        Map<String, Object> document = new LinkedHashMap<>();
        switch (kind) {
            case REMEDIATION -> {
                document.put("signalName", pick(SIGNALS));
                document.put("rootCause", String.format(pick(CAUSES), pod, random.nextInt(2, 4096)));
                document.put("action", pick(ACTIONS));
            }
            case AI_ANALYSIS -> {
                document.put("rootCause", String.format(pick(CAUSES), pod, random.nextInt(2, 4096)));
                document.put("recommendedAction", pick(ACTIONS) + " for " + pod);
            }
            case WORKFLOW -> {
                document.put("workflowName", pick(ACTIONS) + "-workflow");
                document.put("step", "step-" + random.nextInt(1, 9));
                document.put("action", pick(ACTIONS));
            }
            case EXECUTION -> {
                document.put("action", pick(ACTIONS));
                document.put("targetType", "Deployment");
                document.put("targetName", pod);
            }
        }
        document.put("message", String.format(pick(MESSAGES), pod, random.nextInt(1, 600)));
        return document;
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
