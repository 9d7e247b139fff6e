package io.eventdbx.store.api;

/** The in-memory engine passes the contract. */
class InMemoryStorageEngineTest extends StorageEngineContract {

    @Override
    protected StorageEngine open() {
        return new InMemoryStorageEngine();
    }

    @Override
    protected StorageEngine reopen(StorageEngine closed) {
        return null;
    }
}
