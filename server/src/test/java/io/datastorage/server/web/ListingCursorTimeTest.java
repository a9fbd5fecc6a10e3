package io.datastorage.server.web;

import io.datastorage.core.store.AuditPosition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A cursor's times are read as every other time is: truncated to the microsecond. */
class ListingCursorTimeTest {

    @Test
    void aCursorWithNanosecondsIsReadAtTheMicrosecond() throws ListingCursor.InvalidCursorException {
        String text = new ListingCursor(new AuditPosition(Instant.parse("2013-07-31T23:59:59.9999999Z"), UUID.randomUUID()),
                Instant.parse("2013-07-01T00:00:00.0000005Z"), Instant.parse("2013-08-01T00:00:00.0000001Z"), 7L).encode();

        ListingCursor cursor = ListingCursor.decode(text);

        assertThat(cursor.position().createdAt()).isEqualTo(Instant.parse("2013-07-31T23:59:59.999999Z"));
        assertThat(cursor.since()).isEqualTo(Instant.parse("2013-07-01T00:00:00Z"));
        assertThat(cursor.until()).isEqualTo(Instant.parse("2013-08-01T00:00:00Z"));
    }
}
