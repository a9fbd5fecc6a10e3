package io.datastorage.core.integrity;

import io.datastorage.core.integrity.BrokenLink.Reason;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For any chain, any page size and any one act of tampering (a changed record, a deleted one, two
 * neighbours' positions swapped, the last record deleted), the verifier reports exactly that
 * chain's first broken link with its reason, the other chain stays whole, and an untouched store
 * verifies; an incremental run after the full one reports the same link, also when the break lies
 * behind the chain's checkpoint (the full run marks the chain broken). The store is in memory;
 * PostgresIntegrityTest does the same on PostgreSQL.
 */
class ChainVerifierPropertyTest {
    private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    private static final ChainHasher HASHER = ChainHasher.sha256();
    private static final ChainId TAMPERED = new ChainId("workflow", YearMonth.of(2026, 11));
    private static final ChainId OTHER = new ChainId("execution", YearMonth.of(2026, 10));

    enum Tamper { CHANGE, DELETE, SWAP_WITH_NEXT, DELETE_LAST }

    record Case(int length, int position, Tamper tamper, int pageSize) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(2, 40), Arbitraries.integers().between(1, 40),
                        Arbitraries.of(Tamper.class), Arbitraries.integers().between(1, 7))
                .as((length, position, tamper, page) -> new Case(length, Math.min(position, length - 1), tamper, page));
    }

    @Property(tries = 300)
    void exactlyTheFirstBrokenLinkOfTheTamperedChainIsReported(@ForAll("cases") Case c, @ForAll boolean keepCheckpoints) {
        MemoryStore store = new MemoryStore();
        store.seal(TAMPERED, c.length());
        store.seal(OTHER, 5);
        ChainVerifier verifier = new ChainVerifier(store, HASHER, Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofMinutes(5), c.pageSize());
        assertThat(verifier.verify(true, ChainVerifier.Listener.NONE).consistent()).isTrue();
        if (!keepCheckpoints) {
            store.checkpoints.clear(); // incremental runs from the start too
        }
        // with the checkpoints kept, the break lies behind them: the full run finds it, and the
        // incremental run after it reports it again (it once reported the chain whole)

        List<SealedRecord> chain = store.rows.get(TAMPERED);
        long seq = c.position();
        Reason expected;
        UUID recordId;
        switch (c.tamper()) {
            case CHANGE -> {
                SealedRecord row = chain.get(c.position() - 1);
                ChainRecord r = row.record();
                chain.set(c.position() - 1, new SealedRecord(new ChainRecord(r.id(), r.kind(), r.createdAt(),
                        r.receivedAt(), "someone-else", r.legacyId(), r.document()), row.seq(), row.hash()));
                expected = Reason.CONTENT_CHANGED;
                recordId = r.id();
            }
            case DELETE -> {
                chain.remove(c.position() - 1);
                expected = Reason.MISSING_LINK;
                recordId = null;
            }
            case SWAP_WITH_NEXT -> {
                SealedRecord a = chain.get(c.position() - 1);
                SealedRecord b = chain.get(c.position());
                chain.set(c.position() - 1, new SealedRecord(b.record(), a.seq(), b.hash()));
                chain.set(c.position(), new SealedRecord(a.record(), b.seq(), a.hash()));
                expected = Reason.OUT_OF_ORDER;
                recordId = b.record().id();
            }
            default -> {
                chain.removeLast();
                seq = c.length();
                expected = Reason.HEAD_MISMATCH;
                recordId = null;
            }
        }

        for (boolean full : new boolean[]{true, false}) {
            IntegrityReport report = verifier.verify(full, ChainVerifier.Listener.NONE);
            assertThat(report.consistent()).isFalse();
            assertThat(report.broken()).hasSize(1);
            BrokenLink broken = report.broken().getFirst();
            assertThat(broken.chain()).isEqualTo(TAMPERED);
            assertThat(broken.reason()).isEqualTo(expected);
            assertThat(broken.seq()).isEqualTo(seq);
            assertThat(broken.recordId()).isEqualTo(recordId);
        }
    }

    /** Chains in memory, sealed as the sealer would. */
    private static final class MemoryStore implements IntegrityStore {
        final Map<ChainId, List<SealedRecord>> rows = new HashMap<>();
        final Map<ChainId, ChainLink> heads = new HashMap<>();
        final Map<ChainId, ChainLink> checkpoints = new HashMap<>();
        final Set<ChainId> markedBroken = new HashSet<>();

        void seal(ChainId chain, int records) {
            List<SealedRecord> sealed = new ArrayList<>();
            byte[] hash = ChainHasher.GENESIS;
            for (int seq = 1; seq <= records; seq++) {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("name", "r-" + seq);
                document.put("confidence", new java.math.BigDecimal("0." + seq));
                ChainRecord record = new ChainRecord(UUID.nameUUIDFromBytes((chain + "/" + seq).getBytes()),
                        chain.kind(), NOW.minusSeconds(600 - seq), NOW.minusSeconds(500 - seq), "writer", null, document);
                hash = HASHER.link(hash, seq, record);
                sealed.add(new SealedRecord(record, seq, hash));
            }
            rows.put(chain, sealed);
            heads.put(chain, new ChainLink(chain, records, hash));
        }

        @Override
        public List<ChainLink> heads() {
            return List.copyOf(heads.values());
        }

        @Override
        public Map<ChainId, ChainLink> checkpoints() {
            return Map.copyOf(checkpoints);
        }

        @Override
        public List<SealedRecord> sealed(ChainId chain, long afterSeq, long upToSeq, int limit) {
            return rows.get(chain).stream().filter(r -> r.seq() > afterSeq && r.seq() <= upToSeq)
                    .sorted(java.util.Comparator.comparingLong(SealedRecord::seq)).limit(limit).toList();
        }

        @Override
        public Optional<SealedRecord> sealedAt(ChainId chain, long seq) {
            return rows.get(chain).stream().filter(r -> r.seq() == seq).findFirst();
        }

        @Override
        public Map<ChainId, UnsealedRecords> unsealed(Instant receivedBefore) {
            return Map.of();
        }

        @Override
        public void markBroken(ChainId chain, Instant at) {
            if (checkpoints.containsKey(chain)) {
                markedBroken.add(chain);
            }
        }

        @Override
        public Set<ChainId> markedBroken() {
            return Set.copyOf(markedBroken);
        }

        @Override
        public void checkpoint(ChainLink verified, Instant at) {
            markedBroken.remove(verified.chain());
            checkpoints.put(verified.chain(), verified);
        }

        @Override
        public long unsealedCount() {
            return 0;
        }
    }
}
