// Package agent is a tool-calling agent built on package graph: LangGraph's
// create_react_agent in Go.
//
// Tools are typed Go functions ([NewTool]) whose parameters schema is
// derived from their argument type. [New] builds a graph of two nodes: the
// "agent" node asks the chat model, bound with the tools, to answer the
// conversation; when the answer calls tools, the "tools" node runs the calls
// (in parallel) and adds their results as tool messages, and the agent node
// asks again. The run ends when the model answers without calling a tool,
// or fails when it exceeds the recursion limit.
//
// A tool that fails does not fail the run: its tool message has status
// "error" and carries the error, so the model can correct itself, as with
// LangGraph's ToolNode.
//
// The agent's input and output are a [State], {"messages": […]} on the
// wire, so it can be deployed with serve.AddRoutes and driven from the
// playground's chat widget; [Agent.Answer] returns only the final message,
// for the chat playground. In stream_events the runs of the graph, of each
// node, of the chat model and of each tool appear nested as in LangGraph.
package agent
