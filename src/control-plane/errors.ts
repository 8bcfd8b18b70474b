// One catalogue of every error the ECS API answers, with its HTTP status. ECS (JSON 1.1) errors
// are `{"__type": "<Name>", "message": "…"}` plus the `x-amzn-ErrorType` header; the SDK reads
// either to pick the exception class, so both must carry the same name.

export const ECS_ERROR_STATUS = {
  ClientException: 400,
  ClusterNotFoundException: 400,
  ClusterContainsContainerInstancesException: 400,
  ClusterContainsTasksException: 400,
  ClusterContainsServicesException: 400,
  InvalidParameterException: 400,
  TargetNotFoundException: 400,
  AttributeLimitExceededException: 400,
  ResourceNotFoundException: 400,
  ResourceInUseException: 400,
  LimitExceededException: 400,
  TargetNotConnectedException: 400,
  NoUpdateAvailableException: 400,
  MissingVersionException: 400,
  UpdateInProgressException: 400,
  UnsupportedFeatureException: 400,
  ServiceNotFoundException: 400,
  ServiceNotActiveException: 400,
  TaskSetNotFoundException: 400,
  PlatformUnknownException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 403,
  ServerException: 500,
} as const;

export type EcsErrorType = keyof typeof ECS_ERROR_STATUS;

export class EcsError extends Error {
  override name = 'EcsError';
  readonly type: EcsErrorType;
  constructor(type: EcsErrorType, message: string) {
    super(message);
    this.type = type;
  }
  get httpStatus(): number {
    return ECS_ERROR_STATUS[this.type];
  }
  toBody(): { __type: EcsErrorType; message: string } {
    return { __type: this.type, message: this.message };
  }
}

export const clusterNotFound = (): EcsError => new EcsError('ClusterNotFoundException', 'Cluster not found.');
export const invalidParameter = (message: string): EcsError => new EcsError('InvalidParameterException', message);
export const clientError = (message: string): EcsError => new EcsError('ClientException', message);
export const resourceNotFound = (message = 'The specified resource could not be found.'): EcsError => new EcsError('ResourceNotFoundException', message);
