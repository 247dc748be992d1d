import { Suspense } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { PageLoader } from './components/page-loader';
import { RouteError } from './components/route-error';
import { consoleModules, lazyPage, publicPages } from './modules';
import { HomePage } from './public/home-page';
import { NotFoundPage } from './public/not-found-page';
import { PublicLayout } from './public/public-layout';
import { SetupPage } from './public/setup-page';
import { SignInPage } from './public/sign-in-page';

// The console is its own chunk: visitors of the public site never download it.
const ConsoleLayout = lazyPage(() => import('./console/console-layout'), 'ConsoleLayout');
const ConsoleHome = lazyPage(() => import('./console/console-home'), 'ConsoleHome');

export const routes: RouteObject[] = [
  {
    errorElement: <RouteError />,
    children: [
      {
        path: '/',
        element: <PublicLayout />,
        children: [
          { index: true, element: <HomePage /> },
          { path: 'sign-in', element: <SignInPage /> },
          { path: 'setup', element: <SetupPage /> },
          ...publicPages.map((p) => ({ path: p.path, element: p.element })),
          { path: '*', element: <NotFoundPage /> },
        ],
      },
      {
        path: '/console',
        element: (
          <Suspense fallback={<PageLoader />}>
            <ConsoleLayout />
          </Suspense>
        ),
        children: [
          { index: true, element: <ConsoleHome /> },
          ...consoleModules.map((m) => ({ path: m.nested ? `${m.path}/*` : m.path, element: m.element })),
          { path: '*', element: <NotFoundPage home="/console" /> },
        ],
      },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
