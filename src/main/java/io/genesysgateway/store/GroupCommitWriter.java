package io.genesysgateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.sql.DataSource;

/**
 * Every write of the store goes through this one thread, which commits the work of concurrent callers together
 * (group commit; each caller's work behind its own savepoint), so a burst of wrap-ups costs a few commits and
 * fsyncs, not one each. A caller returns once its work is committed; work that fails is undone alone.
 */
final class GroupCommitWriter {

    /** Work done on the writer's connection, inside its transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** At most this many callers share one commit. */
    private static final int MAX_BATCH = 256;

    private final LinkedBlockingQueue<Pending<?>> writes = new LinkedBlockingQueue<>();
    private final Supplier<DataSource> dataSource;
    private volatile Thread thread;

    GroupCommitWriter(Supplier<DataSource> dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs work in a transaction: committed when it returns, undone when it throws. */
    <T> T commit(Work<T> work) {
        return await(commitEach(List.of(work)).get(0));
    }

    /**
     * Several units of work, each committed when it returns or undone alone when it throws, all in the same commit
     * when they fit in one; each result is then read with {@link #await}.
     */
    <T> List<CompletableFuture<T>> commitEach(List<Work<T>> works) {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("a transaction inside a transaction");
        }
        if (thread == null) {
            start(); // once: every write after that skips the lock
        }
        List<CompletableFuture<T>> results = new ArrayList<>(works.size());
        List<Pending<T>> pending = new ArrayList<>(works.size());
        for (Work<T> work : works) {
            Pending<T> p = new Pending<>(work);
            pending.add(p);
            results.add(p.done);
        }
        writes.addAll(pending);
        return results;
    }

    /** The result of a unit of work, once committed; its failure as a {@link StoreException} (or as thrown). */
    static <T> T await(CompletableFuture<T> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw new StoreException(sql);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StoreException(cause.toString());
        }
    }

    /** Commits the writes already asked for (up to 10 s), then ends the thread; a later write starts it again. */
    synchronized void stop() {
        Thread t = thread;
        if (t == null) {
            return;
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (!writes.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        t.interrupt();
        thread = null;
    }

    // a thread of its own, not one of Camel's pools: it must go on committing the routes' last work while Camel
    // shuts its pools down, and stop only when the store is closed after them
    private synchronized void start() {
        if (thread == null) {
            Thread t = new Thread(this::loop, "store-writer");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>();
        while (true) {
            try {
                Pending<?> first = writes.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    if (thread != Thread.currentThread()) {
                        return; // stopped
                    }
                    continue;
                }
                batch.clear();
                batch.add(first);
                writes.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                batch.forEach(p -> p.done.completeExceptionally(e));
            }
        }
    }

    private void commit(List<Pending<?>> batch) {
        Object[] results = new Object[batch.size()];
        Throwable[] failures = new Throwable[batch.size()];
        try (Connection c = dataSource.get().getConnection()) {
            c.setAutoCommit(false);
            try {
                for (int i = 0; i < batch.size(); i++) {
                    Savepoint savepoint = batch.size() > 1 ? c.setSavepoint() : null;
                    try {
                        results[i] = batch.get(i).work.run(c);
                        if (savepoint != null) {
                            // released at once: a savepoint left open is kept up to date by every later write of
                            // the batch, so a large batch would cost more per caller than a small one
                            c.releaseSavepoint(savepoint);
                        }
                    } catch (SQLException | RuntimeException e) {
                        if (savepoint != null) {
                            c.rollback(savepoint);
                        } else {
                            c.rollback();
                        }
                        failures[i] = e;
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            batch.forEach(p -> p.done.completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (failures[i] != null) {
                batch.get(i).done.completeExceptionally(failures[i]);
            } else {
                batch.get(i).complete(results[i]);
            }
        }
    }

    private static final class Pending<T> {
        final Work<T> work;
        final CompletableFuture<T> done = new CompletableFuture<>();

        Pending(Work<T> work) {
            this.work = work;
        }

        @SuppressWarnings("unchecked")
        void complete(Object result) {
            done.complete((T) result);
        }
    }
}
