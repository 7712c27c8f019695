//! What other services may ask of CodeDeploy: creating a deployment (CodePipeline's CodeDeploy
//! action) and being told when it ends.

use super::Call;
use crate::effects::Notify;
use crate::error::ServiceError;
use serde_json::Value;

/// The commands CodeDeploy accepts from other services.
#[derive(Debug)]
pub enum Command {
    /// Creates a deployment as `CreateDeployment` does; answers `{"deploymentId": "d-..."}`.
    CreateDeployment(Box<CreateDeployment>),
    /// Stops a deployment as `StopDeployment` does.
    StopDeployment { deployment_id: String },
}

/// A deployment another service creates.
#[derive(Debug)]
pub struct CreateDeployment {
    pub application: String,
    pub deployment_group: String,
    /// The revision: an S3 bundle.
    pub bucket: String,
    pub key: String,
    /// `zip`, `tar`, `tgz`, `YAML` or `JSON`.
    pub bundle_type: String,
    pub version: Option<String>,
    pub etag: Option<String>,
    pub description: Option<String>,
    /// `DeploymentCreator`, e.g. `user` or `CodeDeploy`.
    pub creator: String,
    /// Fired once when the deployment ends (Succeeded, Failed or Stopped).
    pub on_finish: Option<Notify<DeploymentFinished>>,
}

/// How a deployment ended.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentFinished {
    pub deployment_id: String,
    /// `Succeeded`, `Failed` or `Stopped`.
    pub status: String,
    /// `errorInformation` (code, message) when it did not succeed.
    pub error: Option<(String, String)>,
}

pub fn on_command(call: &mut Call<'_>, command: Command) -> Result<Value, ServiceError> {
    let _ = call;
    match command {
        Command::CreateDeployment(_) | Command::StopDeployment { .. } => Err(ServiceError::new(
            "NotImplementedException",
            "CodeDeploy deployments are not implemented yet",
        )),
    }
}
