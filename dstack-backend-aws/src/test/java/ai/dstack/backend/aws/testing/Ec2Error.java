package ai.dstack.backend.aws.testing;

/** An error EC2 answers with: HTTP status, code and message, sent as EC2's error XML. */
final class Ec2Error extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Ec2Error(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static Ec2Error notFound(String code, String message) {
        return new Ec2Error(400, code, message);
    }
}
