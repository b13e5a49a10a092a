/// The product's version, shown by `tradlyte --version` and sent in the User-Agent.
public enum TradLyteVersion {
    public static let current = "0.1.0"
}
