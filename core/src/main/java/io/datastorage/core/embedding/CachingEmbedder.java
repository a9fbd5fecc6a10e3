package io.datastorage.core.embedding;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link Embedder} that answers from an {@link EmbeddingCache} what it can and asks its
 * delegate for the rest, in one call, each distinct text once.
 *
 * <p>The cache never fails an embedding: when it throws (down, slow past its timeout, garbled),
 * the error is counted, every text is treated as a miss, and the delegate computes the vectors.
 * A failure to store is counted the same way. Vectors handed out are copies, so a caller that
 * changes one cannot change what the cache holds. A vector of the wrong length is never cached.
 */
public final class CachingEmbedder extends ForwardingEmbedder {
    private static final Logger log = LoggerFactory.getLogger(CachingEmbedder.class);

    private final EmbeddingCache cache;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicBoolean failing = new AtomicBoolean();

    public CachingEmbedder(Embedder delegate, EmbeddingCache cache) {
        super(delegate);
        this.cache = cache;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        return embed(texts, NO_TIME_LIMIT);
    }

    /**
     * Looks the texts up, then gives the delegate what is left of the limit for the misses; fails
     * without computing when nothing is left after the lookup. (The lookup itself is bounded by
     * the cache's own timeout, not by this limit.)
     */
    @Override
    public List<float[]> embed(List<String> texts, Duration timeLimit) {
        if (texts.isEmpty()) {
            return List.of();
        }
        long end = TimeLimit.endOf(timeLimit);
        String modelId = delegate.modelId();
        List<String> keys = new ArrayList<>(texts.size());
        for (String text : texts) {
            keys.add(EmbeddingCacheKey.of(modelId, text));
        }
        Map<String, float[]> vectors = new HashMap<>(lookup(keys));

        Map<String, String> missing = new LinkedHashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            if (vectors.containsKey(keys.get(i))) {
                hits.increment();
            } else {
                misses.increment();
                missing.putIfAbsent(keys.get(i), texts.get(i));
            }
        }
        if (!missing.isEmpty()) {
            Duration left = TimeLimit.leftUntil(end);
            TimeLimit.requireTimeLeft(left, delegate.modelId());
            Map<String, float[]> computed = compute(missing, left);
            vectors.putAll(computed);
            store(computed);
        }

        List<float[]> answer = new ArrayList<>(texts.size());
        for (String key : keys) {
            answer.add(vectors.get(key).clone());
        }
        return answer;
    }

    private Map<String, float[]> lookup(List<String> keys) {
        try {
            Map<String, float[]> found = cache.getAll(new LinkedHashSet<>(keys));
            Map<String, float[]> usable = new HashMap<>(found.size());
            found.forEach((key, vector) -> {
                if (vector != null && vector.length == delegate.dimension()) {
                    usable.put(key, vector);
                }
            });
            recovered();
            return usable;
        } catch (RuntimeException e) {
            failed("read", e);
            return Map.of();
        }
    }

    private Map<String, float[]> compute(Map<String, String> missing, Duration timeLimit) {
        List<String> keys = new ArrayList<>(missing.keySet());
        List<float[]> computed = embedByDelegate(new ArrayList<>(missing.values()), timeLimit);
        Map<String, float[]> byKey = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            float[] vector = computed.get(i);
            if (vector == null || vector.length != delegate.dimension()) {
                throw new EmbeddingException("the embedder " + delegate.modelId() + " returned a "
                        + (vector == null ? "missing" : vector.length + "-dimensional") + " vector; "
                        + delegate.dimension() + " dimensions are configured", null);
            }
            byKey.put(keys.get(i), vector.clone());
        }
        return byKey;
    }

    private void store(Map<String, float[]> computed) {
        try {
            cache.putAll(computed);
            recovered();
        } catch (RuntimeException e) {
            failed("write", e);
        }
    }

    private void failed(String operation, RuntimeException e) {
        errors.increment();
        if (failing.compareAndSet(false, true)) {
            log.warn("Embedding cache ({}) {} failed, computing embeddings without it until it answers again: {}",
                    cache.describe(), operation, e.toString());
        } else {
            log.debug("Embedding cache {} failed", operation, e);
        }
    }

    private void recovered() {
        if (failing.compareAndSet(true, false)) {
            log.info("Embedding cache ({}) answers again", cache.describe());
        }
    }

    /** Texts answered from the cache. */
    public long hits() {
        return hits.sum();
    }

    /** Texts the cache did not hold (including those looked up while it was failing). */
    public long misses() {
        return misses.sum();
    }

    /** Cache reads and writes that failed; each was answered by computing the vectors. */
    public long errors() {
        return errors.sum();
    }


}
