package io.datastorage.core.migration;

import net.jqwik.api.PropertyDefaults;

@PropertyDefaults(tries = 300)
class LegacyListingPropertiesTest extends LegacyListingProperties {
    @Override
    protected LegacyStore newLegacyStore() {
        return new InMemoryLegacyStore();
    }
}
