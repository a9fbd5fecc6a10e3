package io.datastorage.bench;

import io.datastorage.core.index.ForwardingVectorIndex;
import io.datastorage.core.index.VectorIndex;

import java.time.Duration;

/**
 * An index that stands for a remote one: every call sleeps a fixed {@code delay} (a simulated
 * network round trip; nothing crosses a network), then runs on the wrapped in-process index. Says
 * it is {@linkplain #remote() remote}, as a server-backed index would.
 */
final class DelayedIndex extends ForwardingVectorIndex {
    private final Duration delay;

    DelayedIndex(VectorIndex delegate, Duration delay) {
        super(delegate);
        this.delay = delay;
    }

    /** The simulated network round trip of every data call. */
    @Override
    protected void beforeCall() {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the simulated round trip", e);
        }
    }

    @Override
    public boolean remote() {
        return true;
    }
}
