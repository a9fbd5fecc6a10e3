package io.datastorage.server;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, kind 3, as a property: whatever bytes stand in a string of a record, the answer is
 * a 400 {@code malformed-json} naming the byte offset of the first byte that is not UTF-8, or a
 * 201 whose record reads back with exactly those bytes.
 */
class BodyBytesPropertyTest {
    private static RunningService service;

    @BeforeContainer
    static void start() {
        service = RunningService.shared();
    }

    @Property(tries = 200)
    void bytesInAStringAreRefusedAtTheirOffsetOrStoredExactly(@ForAll("stringBytes") byte[] raw) {
        byte[] body = BodyEncodingTest.recordWithNameBytes(raw);
        String decoded = new String(raw, StandardCharsets.UTF_8);
        // The JDK replaces what is not UTF-8; only well-formed UTF-8 survives the round trip.
        boolean wellFormed = Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), raw);

        HttpResponse<String> response = service.post("/api/v1/audit/remediation", body, "application/json");

        JsonNode answer = AuditApiTest.json(response);
        if (wellFormed) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            JsonNode record = AuditApiTest.json(service.get(response.headers().firstValue("Location").orElseThrow()));
            assertThat(record.get("name").asString().getBytes(StandardCharsets.UTF_8))
                    .isEqualTo(("n" + decoded).getBytes(StandardCharsets.UTF_8));
        } else {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(answer.get("type").asString()).isEqualTo("urn:datastorage:problem:malformed-json");
            assertThat(answer.get("detail").asString()).contains("at byte offset " + (BodyEncodingTest.nameOffset() + firstBadByte(raw)));
        }
    }

    /** Random bytes, weighted towards lead and continuation bytes, never a quote, backslash or control character. */
    @Provide
    Arbitrary<byte[]> stringBytes() {
        Arbitrary<Byte> interesting = Arbitraries.oneOf(
                Arbitraries.bytes(),
                Arbitraries.integers().between(0x80, 0xBF).map(Integer::byteValue),
                Arbitraries.of(0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF).map(Integer::byteValue),
                Arbitraries.strings().ofLength(1).map(s -> s.getBytes(StandardCharsets.UTF_8)[0]));
        return interesting.filter(b -> b != '"' && b != '\\' && (b & 0xFF) >= 0x20 && b != 0x7F)
                .array(byte[].class).ofMaxSize(120);
    }

    /**
     * Where a strict decoder stops: the end of the longest prefix that is well-formed UTF-8 (a
     * longer prefix includes the bad sequence; a prefix ending inside a character is not
     * well-formed either).
     */
    private static int firstBadByte(byte[] raw) {
        for (int length = raw.length; length > 0; length--) {
            byte[] prefix = Arrays.copyOf(raw, length);
            if (Arrays.equals(new String(prefix, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), prefix)) {
                return length;
            }
        }
        return 0;
    }
}
