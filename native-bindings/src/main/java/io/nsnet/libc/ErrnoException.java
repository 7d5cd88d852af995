package io.nsnet.libc;

/** A failed system call: the operation, errno's number and its symbolic name. */
public class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String operation;

    public ErrnoException(String operation, int errno) {
        this(operation, errno, operation + ": " + Errno.name(errno) + " (" + errno + ")");
    }

    protected ErrnoException(String operation, int errno, String message) {
        super(message);
        this.operation = operation;
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    public String operation() {
        return operation;
    }
}
