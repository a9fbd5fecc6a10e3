package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.error.Component;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryLegacyStoreTest extends LegacyStoreContract {
    @Override
    protected LegacyStore newStore() {
        return new InMemoryLegacyStore();
    }

    @Test
    void aStoreSwitchedDownFailsTransientlyAndReportsItselfDown() {
        InMemoryLegacyStore store = new InMemoryLegacyStore();
        store.down(true);

        assertThatThrownBy(() -> store.put(record(AuditKind.REMEDIATION, T0)))
                .isInstanceOf(LegacyStoreUnavailableException.class)
                .satisfies(e -> assertThat(((LegacyStoreUnavailableException) e).component()).isEqualTo(Component.LEGACY_STORE))
                .hasMessageStartingWith("legacy store: ");
        assertThat(store.health().up()).isFalse();
    }
}
