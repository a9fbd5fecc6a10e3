package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.integrity.BrokenLink;
import io.datastorage.core.integrity.BrokenLink.Reason;
import io.datastorage.core.integrity.ChainHasher;
import io.datastorage.core.integrity.ChainId;
import io.datastorage.core.integrity.ChainLink;
import io.datastorage.core.integrity.ChainVerifier;
import io.datastorage.core.integrity.IntegrityReport;
import io.datastorage.core.integrity.SealedRecord;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The writer recorded with each record, the records' immutability (the V14 trigger), sealing them
 * into hash chains, and verification finding exactly the first broken link of a tampered chain.
 * Rows are damaged as only a superuser could ({@link PostgresTestDatabase#executeBypassingTriggers}).
 */
class PostgresIntegrityTest {
    private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);
    private static final ChainHasher SHA256 = ChainHasher.sha256();
    private static final ChainId NOVEMBER = new ChainId("remediation", YearMonth.of(2026, 11));
    private static final ChainId OCTOBER = new ChainId("remediation", YearMonth.of(2026, 10));

    private HikariDataSource dataSource;
    private PostgresStore store;

    @BeforeEach
    void open() {
        dataSource = PostgresTestDatabase.freshDatabase();
        store = PostgresStore.open(dataSource, CLOCK, 1);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private static NewRecord remediation(String name, String createdAt, String recordedBy) {
        return new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION, AuditFixtures.remediation(name, createdAt)),
                null).withRecordedBy(recordedBy);
    }

    /** Writes {@code count} remediations created in November and as many in October; their ids, by chain. */
    private Map<ChainId, List<UUID>> writeTwoChains(int count) {
        List<UUID> november = new ArrayList<>();
        List<UUID> october = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            november.add(write(remediation("n" + i, "2026-11-20T10:00:00Z", "system:serviceaccount:ops:writer")));
            october.add(write(remediation("o" + i, "2026-10-20T10:00:00Z", "system:serviceaccount:ops:writer")));
        }
        return Map.of(NOVEMBER, november, OCTOBER, october);
    }

    private UUID write(NewRecord record) {
        return store.records().write(List.of(record), null).receipts().getFirst().id();
    }

    private long sealAll() {
        return store.integrity().seal(SHA256, NOW.plusSeconds(1), 1000, 100);
    }

    private IntegrityReport verify(boolean full) {
        return new ChainVerifier(store.integrity(), SHA256, CLOCK, Duration.ofMinutes(5), 3).verify(full,
                ChainVerifier.Listener.NONE);
    }

    private void tamper(String sql) {
        PostgresTestDatabase.executeBypassingTriggers(dataSource, sql);
    }

    private long seqOf(UUID id) {
        return store.integrity().sealed(NOVEMBER, 0, Long.MAX_VALUE, 1000).stream()
                .filter(r -> r.record().id().equals(id)).mapToLong(SealedRecord::seq).findFirst().orElseThrow();
    }

    private UUID atSeq(ChainId chain, long seq) {
        return store.integrity().sealedAt(chain, seq).orElseThrow().record().id();
    }

    // --- recordedBy

    @Test
    void theWriterIsStoredWithTheRecordAndReadBackByIdAndInListings() {
        UUID id = write(remediation("a", "2026-11-20T10:00:00Z", "system:serviceaccount:ops:writer"));

        assertThat(store.records().find(AuditKind.REMEDIATION, id)).get().extracting(AuditRecord::recordedBy)
                .isEqualTo("system:serviceaccount:ops:writer");
        assertThat(store.records().list(AuditQuery.builder().build()).items()).extracting(AuditRecord::recordedBy)
                .containsExactly("system:serviceaccount:ops:writer");
    }

    @Test
    void aRecordWrittenWithoutASubjectIsRecordedAsAnonymous() {
        UUID id = write(new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION,
                AuditFixtures.remediation("a", "2026-11-20T10:00:00Z")), null));

        assertThat(store.records().find(AuditKind.REMEDIATION, id).orElseThrow().recordedBy())
                .isEqualTo("system:anonymous");
    }

    // --- immutability

    private String refusal(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
            return null;
        } catch (SQLException e) {
            assertThat(e.getSQLState()).isEqualTo("P0001");
            return e.getMessage();
        }
    }

    @Test
    void anUpdateOfARecordsContentIsRefused() {
        UUID id = write(remediation("a", "2026-11-20T10:00:00Z", "w"));

        assertThat(refusal("UPDATE audit_records SET document = document || '{\"name\":\"b\"}' WHERE id = '" + id + "'"))
                .contains("audit records are immutable", "cannot be changed");
        assertThat(refusal("UPDATE audit_records SET recorded_by = 'someone-else' WHERE id = '" + id + "'"))
                .contains("audit records are immutable");
    }

    @Test
    void aDeleteOfARecordIsRefused() {
        UUID id = write(remediation("a", "2026-11-20T10:00:00Z", "w"));

        assertThat(refusal("DELETE FROM audit_records WHERE id = '" + id + "'"))
                .contains("audit records are immutable", "cannot be deleted");
    }

    @Test
    void aSealedRecordCannotBeUndoneNorResealed() {
        Receipt receipt = store.records().write(List.of(remediation("a", "2026-11-20T10:00:00Z", "w")), null)
                .receipts().getFirst();
        sealAll();

        assertThatThrownBy(() -> store.records().undo(List.of(receipt), null))
                .isInstanceOf(StoreException.class).hasMessageContaining("audit records are immutable");
        assertThat(refusal("UPDATE audit_records SET chain_seq = 7 WHERE id = '" + receipt.id() + "'"))
                .contains("is sealed into its chain");
        assertThat(store.records().find(AuditKind.REMEDIATION, receipt.id())).isPresent();
    }

    /**
     * Any session may SET datastorage.delete_reason, so the reason counts only for the tables' owner
     * (the service's own user) or a superuser: a role merely granted DELETE on the tables cannot use
     * it to delete records or erase a chain's head.
     */
    @Test
    void aRoleGrantedDeleteCannotGiveRetentionAsItsReason() throws SQLException {
        UUID id = write(remediation("a", "2026-11-20T10:00:00Z", "w"));
        write(remediation("b", "2026-11-20T10:00:00Z", "w"));
        sealAll();
        String role = "deleter_" + UUID.randomUUID().toString().replace("-", "");
        PostgresTestDatabase.execute(dataSource, "CREATE ROLE " + role + " NOLOGIN NOSUPERUSER");
        PostgresTestDatabase.execute(dataSource, "GRANT SELECT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);

        assertRefusedToRoleGivingRetention(role, List.of("DELETE FROM audit_records WHERE id = '" + id + "'",
                "DELETE FROM integrity_chains", "UPDATE integrity_chains SET seq = 0"));
        assertThat(store.records().find(AuditKind.REMEDIATION, id)).isPresent();
        assertThat(verify(true).consistent()).isTrue();
    }

    /**
     * The evidence tables other than the records: a role merely granted privileges cannot delete a
     * hold (nor can the service: holds are released), a checkpoint or a retention run, nor truncate
     * a month's partition by name.
     */
    @Test
    void theEvidenceBesideTheRecordsIsGuardedToo() throws SQLException {
        write(remediation("a", "2026-11-20T10:00:00Z", "w"));
        sealAll();
        verify(false);
        UUID hold = store.legalHolds().create(new io.datastorage.core.retention.NewLegalHold("corr-a", null, "audit", null),
                "system:serviceaccount:ops:legal", NOW).id();
        PostgresTestDatabase.execute(dataSource, "INSERT INTO retention_runs VALUES ('r1', 'remediation', '2020-01-01', 1, now())");
        String role = "granted_" + UUID.randomUUID().toString().replace("-", "");
        PostgresTestDatabase.execute(dataSource, "CREATE ROLE " + role + " NOLOGIN NOSUPERUSER");
        PostgresTestDatabase.execute(dataSource, "GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO " + role);

        assertRefusedToRoleGivingRetention(role, List.of("DELETE FROM legal_holds",
                "UPDATE legal_holds SET released_at = now(), released_by = 'x'",
                "DELETE FROM integrity_checkpoints", "UPDATE integrity_checkpoints SET seq = 0",
                "DELETE FROM retention_runs", "TRUNCATE audit_records_y2026m11", "TRUNCATE legal_holds",
                "TRUNCATE integrity_checkpoints", "TRUNCATE retention_runs"));
        // the owner (here a superuser) may release a hold once, and no more
        assertThat(refusal("DELETE FROM legal_holds")).contains("cannot be deleted");
        assertThat(refusal("UPDATE retention_runs SET records = 0")).contains("cannot be changed");
        assertThat(refusal("TRUNCATE audit_records_y2026m11")).contains("cannot be truncated");
        assertThat(store.legalHolds().release(hold, "system:serviceaccount:ops:legal", NOW)).isPresent();
        assertThat(refusal("UPDATE legal_holds SET released_by = 'someone-else'")).contains("only be released, once");
        assertThat(verify(true).consistent()).isTrue();
    }

    /** Each statement, run as {@code role} giving retention as its delete reason, is refused by a trigger. */
    private void assertRefusedToRoleGivingRetention(String role, List<String> statements) throws SQLException {
        for (String statement : statements) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("SET LOCAL ROLE " + role);
                s.execute("SET LOCAL datastorage.delete_reason = 'retention'");
                assertThatThrownBy(() -> s.execute(statement)).as(statement).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("P0001"));
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    @Test
    void truncatingTheRecordsOrTheChainsIsRefused() {
        write(remediation("a", "2026-11-20T10:00:00Z", "w"));
        sealAll();

        assertThat(refusal("TRUNCATE audit_records")).contains("cannot be truncated");
        assertThat(refusal("TRUNCATE integrity_chains")).contains("cannot be truncated");
        assertThat(verify(true).consistent()).isTrue();
    }

    // --- sealing

    @Test
    void sealingLinksEachKindAndMonthIntoItsOwnGaplessChainInReceivedOrder() {
        Map<ChainId, List<UUID>> ids = writeTwoChains(5);

        assertThat(sealAll()).isEqualTo(10);

        for (ChainId chain : List.of(NOVEMBER, OCTOBER)) {
            List<SealedRecord> sealed = store.integrity().sealed(chain, 0, Long.MAX_VALUE, 100);
            assertThat(sealed).extracting(SealedRecord::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(sealed).extracting(r -> r.record().id()).containsExactlyElementsOf(ids.get(chain));
        }
        assertThat(store.integrity().heads()).extracting(ChainLink::chain, ChainLink::seq)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(NOVEMBER, 5L),
                        org.assertj.core.groups.Tuple.tuple(OCTOBER, 5L));
        assertThat(store.integrity().unsealedCount()).isZero();
    }

    @Test
    void sealingAgainSealsNothingAndLaterRecordsExtendTheChain() {
        writeTwoChains(2);
        sealAll();

        assertThat(sealAll()).isZero();
        write(remediation("late", "2026-11-20T11:30:00Z", "w"));
        assertThat(sealAll()).isEqualTo(1);

        assertThat(store.integrity().sealed(NOVEMBER, 0, Long.MAX_VALUE, 100)).extracting(SealedRecord::seq)
                .containsExactly(1L, 2L, 3L);
        assertThat(verify(true).consistent()).isTrue();
    }

    @Test
    void recordsReceivedWithinTheSealingDelayWaitForALaterRun() {
        write(remediation("a", "2026-11-20T10:00:00Z", "w"));

        assertThat(store.integrity().seal(SHA256, NOW, 1000, 100)).isZero(); // received at NOW: not before it
        assertThat(store.integrity().unsealedCount()).isEqualTo(1);
    }

    @Test
    void twoSealersAtOnceBuildOneGaplessChain() throws Exception {
        int records = 300;
        for (int i = 0; i < records; i++) {
            write(remediation("r" + i, "2026-11-20T10:00:00Z", "w"));
        }
        PostgresStore other = PostgresStore.open(dataSource, CLOCK, 1);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> sealed = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (PostgresStore sealer : List.of(store, other)) {
                Callable<Long> run = () -> {
                    start.await();
                    long total = 0;
                    for (int i = 0; i < 30; i++) { // small batches, so the two interleave
                        total += sealer.integrity().seal(SHA256, NOW.plusSeconds(1), 7, 1);
                    }
                    return total;
                };
                sealed.add(pool.submit(run));
            }
            start.countDown();
            long total = 0;
            for (Future<Long> f : sealed) {
                total += f.get();
            }
            total += sealAll();
            assertThat(total).isEqualTo(records);
        }

        assertThat(store.integrity().sealed(NOVEMBER, 0, Long.MAX_VALUE, 1000)).extracting(SealedRecord::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, records).boxed().toList());
        IntegrityReport report = verify(true);
        assertThat(report.consistent()).isTrue();
        assertThat(report.records()).isEqualTo(records);
    }

    // --- verification

    @Test
    void anUntouchedStoreVerifiesAndCheckpointsEachChain() {
        writeTwoChains(4);
        sealAll();

        IntegrityReport report = verify(false);

        assertThat(report.consistent()).isTrue();
        assertThat(report.chains()).isEqualTo(2);
        assertThat(report.records()).isEqualTo(8);
        assertThat(store.integrity().checkpoints()).containsOnlyKeys(NOVEMBER, OCTOBER);
        assertThat(store.integrity().checkpoints().get(NOVEMBER).seq()).isEqualTo(4);
        // incremental: nothing new to walk
        assertThat(verify(false).records()).isZero();
    }

    private void assertOnlyBroken(IntegrityReport report, ChainId chain, Long seq, UUID recordId, Reason reason) {
        assertThat(report.consistent()).isFalse();
        assertThat(report.broken()).hasSize(1);
        BrokenLink broken = report.broken().getFirst();
        assertThat(broken.chain()).isEqualTo(chain);
        assertThat(broken.seq()).isEqualTo(seq);
        assertThat(broken.recordId()).isEqualTo(recordId);
        assertThat(broken.reason()).isEqualTo(reason);
    }

    /** Reported by a full run, then by an incremental run too (no checkpoint past a break), and again. */
    private void assertBrokenEveryTime(ChainId chain, Long seq, UUID recordId, Reason reason) {
        assertOnlyBroken(verify(true), chain, seq, recordId, reason);
        assertOnlyBroken(verify(false), chain, seq, recordId, reason);
        assertOnlyBroken(verify(false), chain, seq, recordId, reason);
    }

    @Test
    void aChangedDocumentIsTheFirstBrokenLinkOfItsChainOnly() {
        UUID changed = writeTwoChains(6).get(NOVEMBER).get(3);
        sealAll();
        long seq = seqOf(changed);

        tamper("UPDATE audit_records SET document = jsonb_set(document, '{phase}', '\"Failed\"') WHERE id = '"
                + changed + "'");

        assertBrokenEveryTime(NOVEMBER, seq, changed, Reason.CONTENT_CHANGED);
    }

    @Test
    void aChangedWriterIsAChangedRecord() {
        UUID changed = writeTwoChains(3).get(OCTOBER).get(0);
        sealAll();

        tamper("UPDATE audit_records SET recorded_by = 'system:serviceaccount:ops:someone-else' WHERE id = '"
                + changed + "'");

        assertBrokenEveryTime(OCTOBER, 1L, changed, Reason.CONTENT_CHANGED);
    }

    /**
     * The columns copied from the document (namespace, labels, …) are what listings, legal holds and
     * retention go by; the link covers the document, so a changed copy (say, to slip a record out of
     * a namespace's legal hold) is found by comparing it with the document.
     */
    @Test
    void aColumnNoLongerMatchingItsDocumentIsAChangedRecord() {
        Map<String, Object> body = AuditFixtures.remediation("labelled", "2026-11-20T10:00:00Z");
        body.put("severity", "critical");
        body.put("labels", Map.of("team", "sre", "tier", "1"));
        UUID first = write(new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION, body), null));
        UUID second = write(remediation("plain", "2026-11-20T10:00:00Z", "system:serviceaccount:ops:writer"));
        sealAll();
        assertThat(verify(true).consistent()).isTrue();

        tamper("UPDATE audit_records SET namespace = 'elsewhere' WHERE id = '" + second + "'");
        assertBrokenEveryTime(NOVEMBER, seqOf(second), second, Reason.CONTENT_CHANGED);
        assertThat(verify(true).broken().getFirst().detail()).contains("namespace");

        tamper("UPDATE audit_records SET namespace = 'prod' WHERE id = '" + second + "'");
        assertThat(verify(true).consistent()).isTrue();

        tamper("UPDATE audit_records SET labels = '{\"team\":\"sre\"}' WHERE id = '" + first + "'");
        assertOnlyBroken(verify(true), NOVEMBER, seqOf(first), first, Reason.CONTENT_CHANGED);
        assertThat(verify(true).broken().getFirst().detail()).contains("labels");
    }

    /**
     * Erasing a whole chain (its records and its head, past the triggers) leaves no head to walk;
     * its checkpoint, which retention removes with the head, still says it was there.
     */
    @Test
    void anErasedChainIsAHeadMismatchAtItsCheckpoint() {
        writeTwoChains(3);
        sealAll();
        assertThat(verify(false).consistent()).isTrue();

        tamper("DELETE FROM audit_records WHERE created_at >= '2026-10-01Z' AND created_at < '2026-11-01Z'");
        tamper("DELETE FROM integrity_chains WHERE month = '2026-10-01'");

        assertBrokenEveryTime(OCTOBER, 3L, null, Reason.HEAD_MISMATCH);
    }

    @Test
    void aDeletedRecordIsAMissingLink() {
        UUID deleted = writeTwoChains(6).get(NOVEMBER).get(2);
        sealAll();
        long seq = seqOf(deleted);

        tamper("DELETE FROM audit_records WHERE id = '" + deleted + "'");

        assertBrokenEveryTime(NOVEMBER, seq, null, Reason.MISSING_LINK);
    }

    @Test
    void twoRecordsWithSwappedPositionsAreOutOfOrder() {
        List<UUID> ids = writeTwoChains(6).get(NOVEMBER);
        sealAll();
        UUID third = atSeq(NOVEMBER, 3);
        UUID fourth = atSeq(NOVEMBER, 4);

        tamper("UPDATE audit_records SET chain_seq = CASE id WHEN '" + third + "' THEN 4 ELSE 3 END "
                + "WHERE id IN ('" + third + "', '" + fourth + "')");

        assertThat(ids).contains(third, fourth);
        assertBrokenEveryTime(NOVEMBER, 3L, fourth, Reason.OUT_OF_ORDER);
    }

    @Test
    void aDeletedLastRecordIsAHeadMismatch() {
        writeTwoChains(4);
        sealAll();
        UUID last = atSeq(OCTOBER, 4);

        tamper("DELETE FROM audit_records WHERE id = '" + last + "'");

        assertBrokenEveryTime(OCTOBER, 4L, null, Reason.HEAD_MISMATCH);
    }

    @Test
    void aChangeAtTheCheckpointIsFoundByTheNextIncrementalRun() {
        writeTwoChains(4);
        sealAll();
        assertThat(verify(false).consistent()).isTrue();
        UUID atCheckpoint = atSeq(NOVEMBER, 4);

        tamper("UPDATE audit_records SET document = jsonb_set(document, '{namespace}', '\"other\"') WHERE id = '"
                + atCheckpoint + "'");

        assertOnlyBroken(verify(false), NOVEMBER, 4L, atCheckpoint, Reason.CONTENT_CHANGED);
    }

    /**
     * A break behind the checkpoint is found only by a full run; the incremental runs after it
     * report it too, until the chain holds again (they once reported the chain whole, and the
     * broken-chains metric cleared itself). Found by a fresh user's try.
     */
    @Test
    void aBreakBehindTheCheckpointFoundByAFullRunIsReportedByEveryLaterRunUntilMended() {
        writeTwoChains(6);
        sealAll();
        assertThat(verify(false).consistent()).isTrue();
        UUID behind = atSeq(NOVEMBER, 2);
        tamper("UPDATE audit_records SET document = jsonb_set(document, '{phase}', '\"Tampered\"') WHERE id = '"
                + behind + "'");
        assertThat(verify(false).consistent()).as("an incremental run rechecks only the checkpoint's link").isTrue();

        assertBrokenEveryTime(NOVEMBER, 2L, behind, Reason.CONTENT_CHANGED);

        tamper("UPDATE audit_records SET document = jsonb_set(document, '{phase}', '\"Completed\"') WHERE id = '"
                + behind + "'");
        assertThat(verify(false).consistent()).as("mended: the record is as it was sealed").isTrue();
        assertThat(store.integrity().markedBroken()).isEmpty();
        assertThat(verify(false).records()).isZero();
    }

    @Test
    void anIncrementalRunWalksOnlyWhatWasSealedSinceTheCheckpoint() {
        writeTwoChains(4);
        sealAll();
        verify(false);
        write(remediation("late", "2026-11-20T11:30:00Z", "w"));
        sealAll();

        IntegrityReport report = verify(false);

        assertThat(report.consistent()).isTrue();
        assertThat(report.records()).isEqualTo(1);
        assertThat(store.integrity().checkpoints().get(NOVEMBER).seq()).isEqualTo(5);
    }

    @Test
    void aHeadMovedBackBehindItsCheckpointIsAHeadMismatch() {
        writeTwoChains(4);
        sealAll();
        verify(false);

        // the tail cut off whole: what is left is a consistent chain of 2, so only the checkpoint knows
        tamper("DELETE FROM audit_records WHERE kind = 'remediation' AND created_at >= '2026-11-01Z' AND chain_seq > 2");
        tamper("UPDATE integrity_chains SET seq = 2, hash = (SELECT chain_hash FROM audit_records WHERE id = '"
                + atSeq(NOVEMBER, 2) + "') WHERE kind = 'remediation' AND month = '2026-11-01'");

        // a full run too: it must not take the shorter chain as whole and move the checkpoint back
        assertBrokenEveryTime(NOVEMBER, 2L, null, Reason.HEAD_MISMATCH);
        assertThat(store.integrity().checkpoints().get(NOVEMBER).seq()).isEqualTo(4);
    }

    /** Without an HMAC key anyone can recompute links; the checkpoint still holds the link verified before. */
    @Test
    void aChainRebuiltConsistentlyAfterAChangeIsFoundByAFullRunAtItsCheckpoint() {
        writeTwoChains(4);
        sealAll();
        verify(false);
        UUID last = atSeq(NOVEMBER, 4);

        tamper("UPDATE audit_records SET document = jsonb_set(document, '{phase}', '\"Failed\"') WHERE id = '" + last + "'");
        SealedRecord changed = store.integrity().sealedAt(NOVEMBER, 4).orElseThrow();
        byte[] relinked = SHA256.link(store.integrity().sealedAt(NOVEMBER, 3).orElseThrow().hash(), 4, changed.record());
        String hex = java.util.HexFormat.of().formatHex(relinked);
        tamper("UPDATE audit_records SET chain_hash = decode('" + hex + "', 'hex') WHERE id = '" + last + "'");
        tamper("UPDATE integrity_chains SET hash = decode('" + hex + "', 'hex') WHERE kind = 'remediation' AND month = '2026-11-01'");

        assertBrokenEveryTime(NOVEMBER, 4L, last, Reason.CONTENT_CHANGED);
    }

    @Test
    void aRecordWhoseDocumentCannotBeReadBackIsSealedAndVerifiedOverItsText() {
        UUID unreadable = write(remediation("odd", "2026-11-20T10:00:00Z", "w"));
        tamper("UPDATE audit_records SET document = document || '{\"confidence\":1E-1001}'::jsonb WHERE id = '"
                + unreadable + "'");

        assertThat(sealAll()).isEqualTo(1);

        assertThat(verify(true).consistent()).isTrue();
        tamper("UPDATE audit_records SET document = document || '{\"confidence\":2E-1001}'::jsonb WHERE id = '"
                + unreadable + "'");
        assertOnlyBroken(verify(true), NOVEMBER, 1L, unreadable, Reason.CONTENT_CHANGED);
    }

    @Test
    void recordsLeftUnsealedPastTheLimitAreReportedForTheirChain() {
        writeTwoChains(2);
        sealAll();
        UUID waiting = write(remediation("waiting", "2026-10-21T10:00:00Z", "w"));
        Clock later = Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC);

        IntegrityReport report = new ChainVerifier(store.integrity(), SHA256, later, Duration.ofMinutes(5), 100)
                .verify(false, ChainVerifier.Listener.NONE);

        assertOnlyBroken(report, OCTOBER, null, waiting, Reason.UNSEALED_TOO_LONG);
    }

    @Test
    void chainsSealedWithAKeyDoNotVerifyWithoutIt() {
        writeTwoChains(2);
        ChainHasher keyed = ChainHasher.fromBase64Key("hmac-key",
                java.util.Base64.getEncoder().encodeToString(new byte[32]));
        store.integrity().seal(keyed, NOW.plusSeconds(1), 1000, 100);

        assertThat(new ChainVerifier(store.integrity(), keyed, CLOCK, Duration.ofMinutes(5), 100)
                .verify(true, ChainVerifier.Listener.NONE).consistent()).isTrue();
        assertThat(verify(true).broken()).extracting(BrokenLink::reason)
                .containsOnly(Reason.CONTENT_CHANGED).hasSize(2);
    }
}
