package io.datastorage.core.dualwrite;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * The request's deadline passed or it was cancelled; the write was rolled back, nothing persists.
 * Transient, a failure of the {@linkplain Component#REQUEST request} (its own time ran out, whichever
 * stage was slow): the same request with a fresh deadline may succeed.
 */
public final class DeadlineExceededException extends TransientException {
    public DeadlineExceededException(String message) {
        super(Component.REQUEST, message, null);
    }
}
