package io.datastorage.core.index;

/** The index cannot serve the call now; a retry later may succeed. */
public class IndexUnavailableException extends RuntimeException {
    public IndexUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
