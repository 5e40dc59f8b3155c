//! Fixed identities of the simulated org: its connected app, user, org id and the names of the
//! StoreConnect setting.

/// Consumer key of the connected app the org knows.
pub const CLIENT_ID: &str = "3MVG9SimulatedConsumerKey";
/// Consumer secret of that connected app.
pub const CLIENT_SECRET: &str = "sim-client-secret-5f1c";
/// Username of the integration user (the JWT `sub`).
pub const USERNAME: &str = "integration@storeconnect.example";
/// Test-only RSA 2048 private key for the JWT bearer flow, PKCS#8 PEM (`BEGIN PRIVATE KEY`).
pub const JWT_KEY_PEM: &str = include_str!("../../tests/fixtures/simorg/jwt-key.pem");
/// The same test-only key as PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`).
pub const JWT_KEY_PKCS1_PEM: &str = include_str!("../../tests/fixtures/simorg/jwt-key-rsa.pem");
/// The matching public key, PKCS#1 `RSAPublicKey` DER (what the org verifies JWTs with).
pub const JWT_PUBLIC_KEY_DER: &[u8] = include_bytes!("../../tests/fixtures/simorg/jwt-pub-rsa.der");

pub(crate) const ORG_ID: &str = "00DSIM000000001AAA";
pub(crate) const USER_ID: &str = "005SIM000000001AAA";
pub(crate) const PLATFORM_CLI: &str = "PlatformCLI";
/// API name of the settings type.
pub(crate) const TYPE_NAME: &str = "s_c__Setting__mdt";
/// API name of the Setting field.
pub(crate) const FIELD_NAME: &str = "s_c__Setting__c";
/// Name of the integration user: who the org records as the author of every write.
pub(crate) const USER_NAME: &str = "Integration User";
