// The sample workloads pods run (Istio's helloworld, sleep, httpbin and tcp-echo): builders that
// do not listen, and startSampleApp to run one on 127.0.0.1 at a free port.

export { buildHelloworld, type HelloworldOptions } from './helloworld.ts'
export { buildHttpbin } from './httpbin.ts'
export {
  type SampleAppHandle,
  type SampleAppOptions,
  type SampleName,
  startSampleApp,
} from './start.ts'
export { buildTcpEcho, type TcpEchoServer } from './tcp-echo.ts'
