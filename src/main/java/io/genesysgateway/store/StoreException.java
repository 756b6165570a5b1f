package io.genesysgateway.store;

import java.sql.SQLException;

/** The store could not be read or written; the work it was part of did not happen. */
public class StoreException extends RuntimeException {

    /** SQLState of a unique-key violation (PostgreSQL); SQLite reports its own result code instead. */
    private static final String DUPLICATE_KEY = "23505";

    public StoreException(SQLException cause) {
        super("store: " + cause.getMessage(), cause);
    }

    public StoreException(String message) {
        super(message);
    }

    /** The write broke a unique key: the row is already there. */
    public boolean isDuplicateKey() {
        if (!(getCause() instanceof SQLException sql)) {
            return false;
        }
        String message = String.valueOf(sql.getMessage());
        return DUPLICATE_KEY.equals(sql.getSQLState())
                || message.contains("SQLITE_CONSTRAINT_PRIMARYKEY") || message.contains("SQLITE_CONSTRAINT_UNIQUE");
    }
}
