package io.datastorage.core.integrity;

import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The link recipe as README ("Integrity") gives it to an auditor: the expected hashes here were
 * computed outside Java, with {@code sha256sum} and {@code openssl dgst -hmac} over
 * 32 zero bytes, the seq as 8 bytes big-endian and the canonical JSON.
 */
class ChainHasherTest {
    private static final String JSON = "{\"createdAt\":\"2026-11-20T11:00:00.000000Z\",\"document\":{\"correlationId\":"
            + "\"corr-1\",\"createdAt\":\"2026-11-20T11:00:00Z\",\"name\":\"rr-1\",\"namespace\":\"prod\",\"phase\":"
            + "\"Completed\"},\"id\":\"0193a1b2-0000-7000-8000-000000000001\",\"kind\":\"aianalysis\",\"receivedAt\":"
            + "\"2026-11-20T11:00:00.250000Z\",\"recordedBy\":\"system:serviceaccount:ops:writer\"}";

    private static ChainRecord record() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("name", "rr-1");
        document.put("namespace", "prod");
        document.put("phase", "Completed");
        document.put("createdAt", "2026-11-20T11:00:00Z");
        document.put("correlationId", "corr-1");
        return new ChainRecord(UUID.fromString("0193a1b2-0000-7000-8000-000000000001"), "aianalysis",
                Instant.parse("2026-11-20T11:00:00Z"), Instant.parse("2026-11-20T11:00:00.25Z"),
                "system:serviceaccount:ops:writer", null, document);
    }

    @Test
    void theCanonicalJsonSortsMembersWritesMicrosecondsAndLeavesOutAnAbsentLegacyId() {
        assertThat(record().canonicalJson()).isEqualTo(JSON);
    }

    @Test
    void aLinkIsSha256OverThePreviousLinkTheSeqAndTheCanonicalJson() {
        assertThat(HexFormat.of().formatHex(ChainHasher.sha256().link(ChainHasher.GENESIS, 1, record())))
                .isEqualTo("3b106ba83ce49ba9e1e81fe025a0c45639569cf9bc4f37f42ac5fcbd025ca675");
    }

    @Test
    void withAKeyALinkIsHmacSha256() {
        String key = Base64.getEncoder().encodeToString("k".repeat(32).getBytes());
        ChainHasher keyed = ChainHasher.fromBase64Key("datastorage.integrity.hmac-key", key);

        assertThat(keyed.keyed()).isTrue();
        assertThat(HexFormat.of().formatHex(keyed.link(ChainHasher.GENESIS, 1, record())))
                .isEqualTo("9fe694fb10710ddf061a8827aee6c85c862891c875e5b6875b9af206bc4be18e");
        assertThat(keyed.toString()).doesNotContain(key);
    }

    @Test
    void noKeyMeansPlainSha256() {
        assertThat(ChainHasher.fromBase64Key("datastorage.integrity.hmac-key", " ").keyed()).isFalse();
        assertThat(ChainHasher.fromBase64Key("datastorage.integrity.hmac-key", null).keyed()).isFalse();
    }

    @Test
    void aShortKeyIsRefusedNamingThePropertyWithoutRepeatingTheKey() {
        String key = Base64.getEncoder().encodeToString("short-secret-key".getBytes());

        assertThatThrownBy(() -> ChainHasher.fromBase64Key("datastorage.integrity.hmac-key", key))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("datastorage.integrity.hmac-key").hasMessageContaining("32 bytes")
                .hasMessageNotContaining(key).hasMessageNotContaining("short-secret-key");
    }

    @Test
    void aKeyThatIsNotBase64IsRefusedWithoutRepeatingIt() {
        String key = "not base64 at all: secret!";

        assertThatThrownBy(() -> ChainHasher.fromBase64Key("datastorage.integrity.hmac-key", key))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("datastorage.integrity.hmac-key").hasMessageNotContaining(key);
    }
}
