package io.datastorage.core.dualwrite;

/** The request's deadline passed or it was cancelled; the write was rolled back, nothing persists. */
public final class DeadlineExceededException extends RuntimeException {
    public DeadlineExceededException(String message) {
        super(message);
    }
}
