package contract

// ReadSizedForTest exposes readSized to the package's external tests.
var ReadSizedForTest = readSized
