package io.datastorage.core.store;

import java.time.Clock;

class InMemoryListingTest extends AuditStoreListingContract {
    @Override
    protected RecordStore openStore(Clock clock) {
        return new InMemoryAuditStore(clock);
    }

    @Override
    protected void closeStore() {
    }
}
