/** Keeps one page's rendering failure on that page: the navigation stays usable. */

import { Component, type ReactNode } from 'react';

export class PageErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <>
        <h1 tabIndex={-1}>This page failed</h1>
        <p className="error" role="alert">
          {this.state.error.message}
        </p>
      </>
    );
  }
}
