package io.genesysgateway.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One gateway per embedded store: two processes on one SQLite file would both deliver every record. The lock is an
 * operating-system lock on {@code gateway.lock} beside the database file, held until the process ends (a
 * {@code kill -9} releases it too). Within one JVM it is taken once per folder: Camel may build the store bean
 * twice, and tests run several gateways one after another.
 */
final class StoreLock {

    private static final Map<Path, FileLock> HELD = new ConcurrentHashMap<>();

    private StoreLock() {
    }

    static void acquire(Path dataDir) {
        HELD.computeIfAbsent(dataDir, dir -> {
            Path file = dir.resolve("gateway.lock");
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    channel.close();
                    throw new StoreException("another gateway is using the store in " + dir + " (it holds " + file
                            + "); stop it, or give this one its own STORE_DATA_DIR");
                }
                return lock;
            } catch (IOException e) {
                throw new StoreException("cannot lock " + file + ": " + e.getMessage());
            }
        });
    }
}
