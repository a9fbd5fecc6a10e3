package io.datastorage.core.error;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.dualwrite.DeadlineExceededException;
import io.datastorage.core.dualwrite.IndexWriteRejectedException;
import io.datastorage.core.embedding.EmbedderUnavailableException;
import io.datastorage.core.embedding.EmbeddingException;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.migration.IllegalPhaseTransitionException;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.StalePhaseVersionException;
import io.datastorage.core.migration.LegacyRecordConflictException;
import io.datastorage.core.migration.LegacyRecordRefusedException;
import io.datastorage.core.migration.PhaseChangedException;
import io.datastorage.core.store.RecordConflictException;
import io.datastorage.core.migration.LegacyStoreUnavailableException;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.UnreadableRecordException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NotBlank;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The error model: every failure of core is in exactly one branch, with its component, and its
 * message names the component and its state.
 */
class FailureModelTest {
    enum Branch { TRANSIENT, PERMANENT }

    /** Every concrete failure of core, built from a text for its state, with its branch and component. */
    record Kind(Class<? extends DatastorageException> type, Branch branch, Component component,
                Function<String, DatastorageException> build) {
    }

    static final UUID ID = UUID.fromString("0193a1b2-0000-7000-8000-000000000001");

    static final List<Kind> KINDS = List.of(
            new Kind(StoreUnavailableException.class, Branch.TRANSIENT, Component.POSTGRESQL,
                    state -> new StoreUnavailableException(state, null)),
            new Kind(CommitOutcomeUnknownException.class, Branch.TRANSIENT, Component.POSTGRESQL,
                    state -> new CommitOutcomeUnknownException(state, null)),
            new Kind(StoreException.class, Branch.PERMANENT, Component.POSTGRESQL,
                    state -> new StoreException(state, null)),
            new Kind(UnreadableRecordException.class, Branch.PERMANENT, Component.POSTGRESQL,
                    state -> new UnreadableRecordException(ID, new IOException(state))),
            new Kind(IndexUnavailableException.class, Branch.TRANSIENT, Component.VECTOR_INDEX,
                    state -> new IndexUnavailableException(state, null)),
            new Kind(IndexWriteRejectedException.class, Branch.TRANSIENT, Component.VECTOR_INDEX,
                    state -> new IndexWriteRejectedException(state, null)),
            new Kind(EmbedderUnavailableException.class, Branch.TRANSIENT, Component.EMBEDDER,
                    state -> new EmbedderUnavailableException(state, null)),
            new Kind(EmbeddingException.class, Branch.PERMANENT, Component.EMBEDDER,
                    state -> new EmbeddingException(state, null)),
            new Kind(DeadlineExceededException.class, Branch.TRANSIENT, Component.REQUEST,
                    state -> new DeadlineExceededException(state)),
            new Kind(AuditValidationException.class, Branch.PERMANENT, Component.REQUEST,
                    state -> new AuditValidationException(List.of(new FieldError("field", state)))),
            new Kind(IdempotencyConflictException.class, Branch.PERMANENT, Component.REQUEST,
                    state -> new IdempotencyConflictException(state)),
            new Kind(IllegalPhaseTransitionException.class, Branch.PERMANENT, Component.REQUEST,
                    state -> new IllegalPhaseTransitionException(MigrationPhase.LEGACY_ONLY, MigrationPhase.NEW_ONLY,
                            List.of(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY))),
            new Kind(StalePhaseVersionException.class, Branch.PERMANENT, Component.REQUEST,
                    state -> new StalePhaseVersionException(3, new PhaseState(MigrationPhase.DUAL_WRITE_NEW_PRIMARY, 4,
                            Instant.parse("2026-11-20T12:00:00Z")))),
            new Kind(LegacyStoreUnavailableException.class, Branch.TRANSIENT, Component.LEGACY_STORE,
                    state -> new LegacyStoreUnavailableException(state, null)),
            new Kind(LegacyRecordConflictException.class, Branch.PERMANENT, Component.LEGACY_STORE,
                    state -> new LegacyRecordConflictException(ID, state)),
            new Kind(LegacyRecordRefusedException.class, Branch.PERMANENT, Component.LEGACY_STORE,
                    state -> new LegacyRecordRefusedException(ID, state)),
            new Kind(PhaseChangedException.class, Branch.TRANSIENT, Component.POSTGRESQL,
                    state -> new PhaseChangedException(3, 4)),
            new Kind(RecordConflictException.class, Branch.PERMANENT, Component.POSTGRESQL,
                    state -> new RecordConflictException(ID)),
            new Kind(AccessReviewUnavailableException.class, Branch.TRANSIENT, Component.IDENTITY_PROVIDER,
                    state -> new AccessReviewUnavailableException("api server unreachable for a TokenReview: " + state, null)));

    @Test
    void theBaseHasExactlyTwoBranches() {
        assertThat(DatastorageException.class.isSealed()).isTrue();
        assertThat(DatastorageException.class.getPermittedSubclasses())
                .containsExactlyInAnyOrder(TransientException.class, PermanentException.class);
    }

    @Test
    void everyConcreteFailureOfCoreIsListedHere() throws IOException, URISyntaxException {
        Path classes = Path.of(DatastorageException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<Class<?>> found;
        try (Stream<Path> files = Files.walk(classes)) {
            found = files.filter(file -> file.toString().endsWith(".class"))
                    .map(file -> classes.relativize(file).toString())
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.').replace('\\', '.'))
                    .map(FailureModelTest::load)
                    .filter(type -> DatastorageException.class.isAssignableFrom(type)
                            && !Modifier.isAbstract(type.getModifiers()))
                    .collect(Collectors.toSet());
        }
        assertThat(found).containsExactlyInAnyOrderElementsOf(KINDS.stream().map(Kind::type).toList());
    }

    @Property
    void everyFailureIsInExactlyOneBranchWithItsComponent(@ForAll("kinds") Kind kind,
                                                          @ForAll @NotBlank @StringLength(max = 40) String state) {
        DatastorageException failure = kind.build().apply(state);

        assertThat(failure).isExactlyInstanceOf(kind.type());
        Branch branch = switch (failure) {
            case TransientException t -> Branch.TRANSIENT;
            case PermanentException p -> Branch.PERMANENT;
        };
        assertThat(branch).isEqualTo(kind.branch());
        assertThat(failure instanceof TransientException).isNotEqualTo(failure instanceof PermanentException);
        assertThat(failure.component()).isEqualTo(kind.component());
    }

    @Property
    void theMessageNamesTheComponentAndItsState(@ForAll("kinds") Kind kind,
                                                @ForAll @AlphaChars @StringLength(min = 1, max = 40) String state) {
        DatastorageException failure = kind.build().apply(state);

        if (kind.type() == UnreadableRecordException.class) {
            // Shown to the client as it is: it names the record, and no backend (component() does).
            assertThat(failure.getMessage()).contains(ID.toString(), "cannot be read back");
            return;
        }
        if (kind.type() == IllegalPhaseTransitionException.class) {
            // Its state is the move: both phases and the moves allowed instead.
            assertThat(failure.getMessage()).contains("from LEGACY_ONLY to NEW_ONLY", "only to DUAL_WRITE_LEGACY_PRIMARY");
            return;
        }
        if (kind.type() == StalePhaseVersionException.class) {
            // Its state is the versions: the current one, its phase and the one expected.
            assertThat(failure.getMessage()).contains("at version 4 (DUAL_WRITE_NEW_PRIMARY)", "expected version 3");
            return;
        }
        if (kind.type() == PhaseChangedException.class) {
            // Its state is the versions: the one the write ran under and the one stored.
            assertThat(failure.getMessage()).contains("PostgreSQL", "version 4", "under version 3");
            return;
        }
        if (kind.type() == RecordConflictException.class) {
            // Its state is the record: named by id, never by content.
            assertThat(failure.getMessage()).contains("PostgreSQL", ID.toString(), "other content");
            return;
        }
        assertThat(failure.getMessage()).contains(state);
        if (kind.component() != Component.REQUEST) { // a request failure's message is written for the client
            assertThat(kind.component().isNamedIn(failure.getMessage())).as(failure.getMessage()).isTrue();
        }
    }

    @Test
    void aComponentsMessageLeadsWithItsNameUnlessItAlreadySaysIt() {
        assertThat(new IndexUnavailableException("circuit open, retry in 30 s", null))
                .hasMessage("vector index: circuit open, retry in 30 s");
        assertThat(new StoreUnavailableException("PostgreSQL unavailable while committing (SQLSTATE 08006)", null))
                .hasMessage("PostgreSQL unavailable while committing (SQLSTATE 08006)");
        assertThat(new StoreUnavailableException("connection refused", null))
                .hasMessage("PostgreSQL: connection refused");
        assertThat(new EmbedderUnavailableException("endpoint answered 503", null))
                .hasMessage("embedder: endpoint answered 503");
        assertThat(new EmbeddingException("invalid response from embedding endpoint http://models/v1: not JSON", null))
                .hasMessage("invalid response from embedding endpoint http://models/v1: not JSON");
        assertThat(new IdempotencyConflictException("k1"))
                .hasMessage("Idempotency-Key 'k1' was already used for a different request");
    }

    @Property
    void namedAlwaysNamesTheComponentAndKeepsTheState(@ForAll Component component, @ForAll String state) {
        String message = DatastorageException.named(component, state);

        assertThat(message).contains(state);
        if (component != Component.REQUEST) {
            assertThat(component.isNamedIn(message)).as(message).isTrue();
        }
    }

    @Provide
    Arbitrary<Kind> kinds() {
        return Arbitraries.of(KINDS);
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, FailureModelTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name, e);
        }
    }
}
