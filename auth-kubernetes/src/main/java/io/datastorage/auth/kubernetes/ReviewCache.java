package io.datastorage.auth.kubernetes;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The answers of one kind of review, each kept for its own time, with concurrent identical
 * reviews collapsed into one call.
 *
 * <p>Why an {@link AsyncCache} holding futures: the first caller for a key puts an incomplete
 * future in the map and asks the API server on its own thread; every caller for the same key that
 * comes while the call is under way finds that future and waits for it, so N identical requests
 * make one call. A synchronous cache would either hold a map lock during the remote call (its
 * {@code get(key, loader)}) or let every caller call. Loading on the caller's thread (not an
 * executor) keeps the call under the request's own thread and timeout and needs no pool to size.
 *
 * <p>How long an answer stays is per entry ({@link Expiry}): the loader returns the time along with
 * the answer (allows ≤ 60 s and the token's expiry, denials ≤ 2 s). A failed call is never kept:
 * its future is removed when it fails, so the next caller asks again; the callers that were waiting
 * on it get the same failure.
 *
 * @param <K> the key: never a token, at most its SHA-256
 */
final class ReviewCache<K, V> {

    /** An answer and how long it may be served. */
    record Timed<V>(V value, Duration ttl) {}

    private final AsyncCache<K, Timed<V>> cache;

    ReviewCache(long maximumSize, Ticker ticker) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker)
                .expireAfter(Expiry.creating((K key, Timed<V> timed) -> timed.ttl()))
                .buildAsync();
    }

    /**
     * The cached answer for {@code key}, or the answer of the call under way for it, or (neither
     * present) {@code load}'s answer, called on this thread.
     *
     * @throws RuntimeException whatever {@code load} threw (unwrapped), for this caller and for every
     *         caller that waited on the same call
     */
    V get(K key, Supplier<Timed<V>> load) {
        ConcurrentMap<K, CompletableFuture<Timed<V>>> map = cache.asMap();
        CompletableFuture<Timed<V>> mine = new CompletableFuture<>();
        CompletableFuture<Timed<V>> existing = map.putIfAbsent(key, mine);
        if (existing != null) {
            return await(existing);
        }
        try {
            mine.complete(load.get());
        } catch (RuntimeException | Error e) {
            // Caffeine drops a future that fails; removing it here as well says so where it happens.
            map.remove(key, mine);
            mine.completeExceptionally(e);
        }
        return await(mine);
    }

    /** Entries currently held (for tests). */
    long size() {
        return cache.synchronous().estimatedSize();
    }

    private static <V> V await(CompletableFuture<Timed<V>> future) {
        try {
            return future.join().value();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
